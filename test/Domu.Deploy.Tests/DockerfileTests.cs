using System.Xml.Linq;

namespace Domu.Deploy.Tests;

/// <summary>The Dockerfiles the compose services build, checked statically.</summary>
public sealed class DockerfileTests
{
    private readonly Compose _compose = Compose.Load();

    public static TheoryData<string> DomuServices() => new(Compose.DomuServices);

    private Dockerfile DockerfileOf(string service)
    {
        var (context, path) = _compose.Build(service);
        Assert.Equal(".", context);
        Assert.True(File.Exists(Repo.PathOf(path)), $"Service '{service}' builds {path}, which does not exist.");
        return Dockerfile.Load(path);
    }

    [Theory]
    [MemberData(nameof(DomuServices))]
    public void It_builds_with_the_sdk_and_runs_on_the_aspnet_runtime(string service)
    {
        var dockerfile = DockerfileOf(service);
        Assert.True(dockerfile.Stages >= 2, $"{dockerfile} has {dockerfile.Stages} FROM; it should build in one stage and run in another.");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", dockerfile.All("FROM").First().Arguments, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", dockerfile.All("FROM").Last().Arguments, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DomuServices))]
    public void It_runs_as_a_user_other_than_root(string service)
    {
        var dockerfile = DockerfileOf(service);
        var user = dockerfile.FinalUser;
        Assert.False(string.IsNullOrWhiteSpace(user), $"{dockerfile} has no USER in its final stage, so it runs as root.");
        var name = user!.Split(':')[0];
        Assert.DoesNotContain(name, new[] { "root", "0" });
    }

    [Theory]
    [MemberData(nameof(DomuServices))]
    public void It_exposes_every_port_the_service_listens_on(string service)
    {
        var dockerfile = DockerfileOf(service);
        var environment = _compose.Environment(service);
        var expected = new SortedSet<int>(_compose.Ports(service).Select(port => port.Container));

        var urls = environment.GetValueOrDefault("Urls") ?? dockerfile.Environment.GetValueOrDefault("Urls");
        Assert.False(urls is null, $"Neither {Compose.FileName} nor {dockerfile} sets Urls for '{service}'; appsettings.json listens on localhost only.");
        expected.UnionWith(Compose.UrlPorts(urls!));
        expected.UnionWith(Compose.UrlPorts(dockerfile.Environment.GetValueOrDefault("Urls") ?? ""));

        // A silo (anything but an Orleans client) also listens for silos and for client gateways.
        if (!string.Equals(environment.GetValueOrDefault("Orleans__Mode"), "Client", StringComparison.OrdinalIgnoreCase))
        {
            var defaults = Activator.CreateInstance(ConfigurationKeys.SectionType("Orleans"))!;
            foreach (var key in new[] { "SiloPort", "GatewayPort" })
            {
                expected.Add(environment.TryGetValue($"Orleans__{key}", out var value)
                    ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
                    : (int)defaults.GetType().GetProperty(key)!.GetValue(defaults)!);
            }
        }

        var missing = expected.Except(dockerfile.ExposedPorts).ToList();
        Assert.True(missing.Count == 0, $"{dockerfile} does not EXPOSE {string.Join(", ", missing)}, where '{service}' listens.");
    }

    [Theory]
    [MemberData(nameof(DomuServices))]
    public void It_restores_from_the_project_files_of_every_referenced_project_before_copying_the_sources(string service)
    {
        var dockerfile = DockerfileOf(service);
        var restore = dockerfile.All("RUN").First(run => run.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        var copiedBeforeRestore = dockerfile.ContextCopies()
            .Where(copy => copy.Instruction.Index < restore.Index)
            .SelectMany(copy => copy.Sources)
            .ToHashSet(StringComparer.Ordinal);

        var project = PublishedProject(dockerfile);
        var needed = new[] { "Directory.Build.props", "Directory.Packages.props" }.Concat(ProjectClosure(project));
        var missing = needed.Where(path => !copiedBeforeRestore.Contains(path)).ToList();
        Assert.True(missing.Count == 0, $"{dockerfile} restores before copying {string.Join(", ", missing)}.");
    }

    [Theory]
    [MemberData(nameof(DomuServices))]
    public void Every_copied_source_exists_and_is_not_dockerignored(string service)
    {
        var dockerfile = DockerfileOf(service);
        var ignore = DockerIgnore.Load();
        foreach (var source in dockerfile.ContextCopies().SelectMany(copy => copy.Sources))
        {
            var path = Repo.PathOf(source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{dockerfile} copies {source}, which does not exist.");
            Assert.False(ignore.Excludes(source), $"{dockerfile} copies {source}, which .dockerignore leaves out of the context.");
        }
        Assert.True(ignore.Excludes("src/Api/bin/Debug"), ".dockerignore should keep build output out of the context.");
        Assert.True(ignore.Excludes("test/Domu.UnitTests/Domu.UnitTests.csproj"));
        Assert.True(ignore.Excludes(".git/HEAD"));
    }

    [Theory]
    [MemberData(nameof(DomuServices))]
    public void It_starts_the_assembly_it_publishes(string service)
    {
        var dockerfile = DockerfileOf(service);
        var assembly = Path.GetFileNameWithoutExtension(PublishedProject(dockerfile)) + ".dll";
        Assert.Equal(["dotnet", assembly], dockerfile.Entrypoint);
    }

    /// <summary>The project (repository-relative) that <c>dotnet publish</c> builds.</summary>
    private static string PublishedProject(Dockerfile dockerfile)
    {
        var publish = dockerfile.All("RUN").Single(run => run.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        return publish.Arguments.Split(' ').Single(word => word.EndsWith(".csproj", StringComparison.Ordinal));
    }

    /// <summary><paramref name="project"/> and every project it references, directly or not, as repository-relative paths.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }
            var directory = Path.GetDirectoryName(current)!;
            foreach (var reference in XDocument.Load(Repo.PathOf(current)).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetRelativePath(Repo.Root, Repo.PathOf(Path.Combine(directory, include))).Replace('\\', '/'));
            }
        }
        return seen;
    }
}
