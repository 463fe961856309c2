using System.Text.RegularExpressions;

namespace Domu.Api.Tests;

/// <summary>A strict line-by-line check of the Prometheus text and OpenMetrics formats.</summary>
internal static partial class Exposition
{
    /// <summary>Every problem with <paramref name="body"/>; empty when it is a complete, well-formed exposition.</summary>
    public static IReadOnlyList<string> Problems(string body, bool openMetrics)
    {
        var problems = new List<string>();
        if (!body.EndsWith('\n'))
        {
            problems.Add("the body does not end with a newline (truncated?)");
        }
        var lines = body.TrimEnd('\n').Split('\n');
        if (openMetrics && lines[^1] != "# EOF")
        {
            problems.Add("an OpenMetrics body must end with '# EOF'");
        }
        var typed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (openMetrics && i == lines.Length - 1 && line == "# EOF")
            {
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                if (parts.Length != 4 || !typed.Add(parts[2]))
                {
                    problems.Add($"line {i + 1}: bad or repeated TYPE: {line}");
                }
                continue;
            }
            if (!Sample().IsMatch(line) || (!openMetrics && line.Contains(" # {", StringComparison.Ordinal)))
            {
                problems.Add($"line {i + 1}: not a valid sample: {line}");
            }
        }
        return problems;
    }

    /// <summary>The value of the sample named exactly <paramref name="series"/> (name and labels as exposed).</summary>
    public static double Value(string body, string series)
    {
        var line = body.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    // name{label="value",...} value [timestamp] [# {exemplar labels} value [timestamp]] (exemplars are
    // OpenMetrics only); label values escape only \\, \" and \n.
    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9.]+)?( # \{[^{}]*\} -?[0-9.eE+-]+( -?[0-9.]+)?)?$""")]
    private static partial Regex Sample();
}
