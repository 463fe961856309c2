using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Domu.Deploy.Tests;

/// <summary>docker-compose.yml, read as YAML: the services and what each one declares.</summary>
public sealed partial class Compose
{
    public const string FileName = "docker-compose.yml";

    /// <summary>The services built from this repository's Dockerfiles.</summary>
    public static readonly string[] DomuServices = ["api", "silo"];

    private Compose(YamlMappingNode root) => Root = root;

    public static Compose Load() => new(Yaml.Load(FileName));

    public YamlMappingNode Root { get; }

    public YamlMappingNode Services => Root.Mapping("services") ?? throw new InvalidOperationException("No services.");

    public YamlMappingNode Service(string name) =>
        Services.Mapping(name) ?? throw new Xunit.Sdk.XunitException($"{FileName} has no service '{name}'.");

    /// <summary>The environment of a service, from the mapping or the list ("KEY=value") form.</summary>
    public IReadOnlyDictionary<string, string> Environment(string service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Service(service).Child("environment"))
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    result[((YamlScalarNode)key).Value!] = value.Scalar() ?? "";
                }
                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children.Select(item => item.Scalar() ?? ""))
                {
                    var equals = item.IndexOf('=', StringComparison.Ordinal);
                    result[equals < 0 ? item : item[..equals]] = equals < 0 ? "" : item[(equals + 1)..];
                }
                break;
        }
        return result;
    }

    /// <summary>Each published port of a service: host ports (one per replica in a range) and the container port.</summary>
    public IReadOnlyList<(IReadOnlyList<int> Host, int Container)> Ports(string service)
    {
        var result = new List<(IReadOnlyList<int>, int)>();
        foreach (var item in Service(service).Items("ports"))
        {
            if (item is YamlMappingNode longForm)
            {
                var published = longForm.Scalar("published");
                result.Add((published is null ? [] : PortRange(published), int.Parse(longForm.Scalar("target")!, System.Globalization.CultureInfo.InvariantCulture)));
                continue;
            }
            var spec = item.Scalar()!.Split('/')[0];
            var colon = spec.LastIndexOf(':');
            var container = PortRange(spec[(colon + 1)..]);
            var host = colon < 0 ? [] : PortRange(spec[..colon].Split(':')[^1]);
            result.AddRange(container.Select(port => ((IReadOnlyList<int>)host, port)));
        }
        return result;
    }

    /// <summary>Bind mounts of a service: the source relative to the compose file, and the path inside the container.</summary>
    public IReadOnlyList<(string Source, string Target)> BindMounts(string service) =>
        Service(service).Items("volumes")
            .Select(item => item.Scalar() ?? "")
            .Where(spec => spec.StartsWith("./", StringComparison.Ordinal) || spec.StartsWith("../", StringComparison.Ordinal))
            .Select(spec => spec.Split(':'))
            .Select(parts => (parts[0], parts[1]))
            .ToList();

    /// <summary>The host file or folder that a path inside the container comes from, through the bind mounts.</summary>
    public string? HostPathOf(string service, string containerPath)
    {
        foreach (var (source, target) in BindMounts(service).OrderByDescending(mount => mount.Target.Length))
        {
            var prefix = target.TrimEnd('/');
            if (containerPath == prefix || containerPath.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                return Repo.PathOf(Path.Combine(source, containerPath[prefix.Length..].TrimStart('/')));
            }
        }
        return null;
    }

    /// <summary>The Dockerfile (relative to the repository root) and build context of a service.</summary>
    public (string Context, string Dockerfile) Build(string service)
    {
        var build = Service(service).Child("build") ?? throw new Xunit.Sdk.XunitException($"Service '{service}' has no build section.");
        if (build.Scalar() is { } contextOnly)
        {
            return (contextOnly, Relative(contextOnly, "Dockerfile"));
        }
        var context = build.Scalar("context") ?? ".";
        return (context, Relative(context, build.Scalar("dockerfile") ?? "Dockerfile"));
    }

    private static string Relative(string context, string file) =>
        Path.GetRelativePath(Repo.Root, Repo.PathOf(Path.Combine(context, file))).Replace('\\', '/');

    /// <summary>The ports named by an ASP.NET Core <c>Urls</c> value such as <c>http://+:8080;http://+:9000</c>.</summary>
    public static IReadOnlyList<int> UrlPorts(string urls) =>
        UrlPort().Matches(urls).Select(match => int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static List<int> PortRange(string text)
    {
        var bounds = text.Split('-').Select(part => int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return Enumerable.Range(bounds[0], bounds[^1] - bounds[0] + 1).ToList();
    }

    [GeneratedRegex(@"https?://[^/;:]+:(\d+)")]
    private static partial Regex UrlPort();
}
