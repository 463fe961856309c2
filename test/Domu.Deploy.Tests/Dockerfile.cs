using System.Text.Json;
using System.Text.RegularExpressions;

namespace Domu.Deploy.Tests;

/// <summary>A Dockerfile read as its instructions: continuation lines joined, comments dropped.</summary>
public sealed class Dockerfile
{
    public sealed record Instruction(int Index, string Keyword, string Arguments);

    private Dockerfile(string path, IReadOnlyList<Instruction> instructions)
    {
        Path = path;
        Instructions = instructions;
    }

    public string Path { get; }

    public IReadOnlyList<Instruction> Instructions { get; }

    public static Dockerfile Load(string relativePath)
    {
        var instructions = new List<Instruction>();
        var pending = "";
        foreach (var raw in Repo.Read(relativePath).Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (pending.Length == 0 && line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var text = (pending + line).Trim();
            pending = "";
            if (text.Length == 0)
            {
                continue;
            }
            var space = text.IndexOfAny([' ', '\t']);
            instructions.Add(new Instruction(instructions.Count,
                (space < 0 ? text : text[..space]).ToUpperInvariant(),
                space < 0 ? "" : text[(space + 1)..].Trim()));
        }
        return new Dockerfile(relativePath, instructions);
    }

    public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    public int Stages => All("FROM").Count();

    /// <summary>The instructions of the last stage, the image that runs.</summary>
    public IEnumerable<Instruction> FinalStage => Instructions.SkipWhile((_, index) => index < All("FROM").Last().Index);

    public string? FinalUser => FinalStage.LastOrDefault(i => i.Keyword == "USER")?.Arguments;

    public IReadOnlySet<int> ExposedPorts =>
        FinalStage.Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(port => int.Parse(port.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();

    /// <summary>ENV of the final stage, in both the <c>KEY=value ...</c> and the <c>KEY value</c> forms.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var env in FinalStage.Where(i => i.Keyword == "ENV"))
            {
                var first = env.Arguments.Split(' ', 2)[0];
                if (!first.Contains('=', StringComparison.Ordinal))
                {
                    result[first] = env.Arguments[first.Length..].Trim();
                    continue;
                }
                foreach (Match pair in Regex.Matches(env.Arguments, "([^\\s=]+)=(\"[^\"]*\"|\\S*)"))
                {
                    result[pair.Groups[1].Value] = pair.Groups[2].Value.Trim('"');
                }
            }
            return result;
        }
    }

    /// <summary>The build-context sources of each COPY/ADD that copies from the context, not from a stage.</summary>
    public IEnumerable<(Instruction Instruction, IReadOnlyList<string> Sources)> ContextCopies()
    {
        foreach (var copy in Instructions.Where(i => i.Keyword is "COPY" or "ADD"))
        {
            var words = copy.Arguments.StartsWith('[')
                ? JsonSerializer.Deserialize<string[]>(copy.Arguments)!
                : copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Any(word => word.StartsWith("--from", StringComparison.Ordinal)))
            {
                continue;
            }
            var paths = words.Where(word => !word.StartsWith("--", StringComparison.Ordinal)).ToArray();
            yield return (copy, paths[..^1]);
        }
    }

    /// <summary>The exec-form ENTRYPOINT's words, or the shell form split on spaces.</summary>
    public IReadOnlyList<string> Entrypoint
    {
        get
        {
            var entrypoint = FinalStage.LastOrDefault(i => i.Keyword == "ENTRYPOINT")?.Arguments ?? "";
            return entrypoint.StartsWith('[')
                ? JsonSerializer.Deserialize<string[]>(entrypoint)!
                : entrypoint.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    public override string ToString() => Path;
}

/// <summary>The root .dockerignore: whether it keeps a path out of the build context.</summary>
public sealed class DockerIgnore
{
    private readonly List<(bool Exception, Regex Pattern)> _rules = [];

    public DockerIgnore(string text)
    {
        foreach (var line in text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')))
        {
            var exception = line.StartsWith('!');
            var pattern = (exception ? line[1..] : line).Trim('/');
            _rules.Add((exception, new Regex("^" + GlobToRegex(pattern) + "$")));
        }
    }

    public static DockerIgnore Load() =>
        new(File.Exists(Repo.PathOf(".dockerignore")) ? Repo.Read(".dockerignore") : "");

    /// <summary>Whether <paramref name="path"/> (relative to the context, '/'-separated) or a folder above it is excluded.</summary>
    public bool Excludes(string path)
    {
        var parts = path.Trim('/').Split('/');
        var excluded = false;
        for (var length = 1; length <= parts.Length && !excluded; length++)
        {
            var candidate = string.Join('/', parts[..length]);
            foreach (var (exception, pattern) in _rules)
            {
                if (pattern.IsMatch(candidate))
                {
                    excluded = !exception;
                }
            }
        }
        return excluded;
    }

    private static string GlobToRegex(string glob)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                // "**/" matches any number of folders, none included.
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                result.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                result.Append(glob[i] switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    var c => Regex.Escape(c.ToString()),
                });
            }
        }
        return result.ToString();
    }
}
