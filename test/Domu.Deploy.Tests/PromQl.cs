namespace Domu.Deploy.Tests;

/// <summary>
/// Just enough of PromQL's lexer to list the metric names an expression selects: it drops string
/// literals, label matchers <c>{...}</c>, ranges and subqueries <c>[...]</c>, the label lists of
/// by/without/on/ignoring/group_left/group_right, function names (an identifier before '('),
/// aggregation operators, keywords, numbers, durations, Grafana variables ($__rate_interval) and
/// comments. Whatever identifier is left is a metric name.
/// </summary>
public static class PromQl
{
    private static readonly HashSet<string> LabelListKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        // Binary operators spelt as words, modifiers and number literals.
        "and", "or", "unless", "atan2", "bool", "offset", "inf", "nan",
        // Aggregation operators, which may be followed by "by (...)" instead of "(".
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
        "bottomk", "topk", "quantile", "limitk", "limit_ratio",
    };

    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    /// <summary>The distinct metric names <paramref name="expression"/> selects, as written.</summary>
    public static IReadOnlySet<string> MetricNames(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var text = expression;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(text, i);
            }
            else if (c == '{')
            {
                i = SkipGroup(text, i, '{', '}');
            }
            else if (c == '[')
            {
                i = SkipGroup(text, i, '[', ']');
            }
            else if (c == '#')
            {
                var end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end;
            }
            else if (c == '$')
            {
                i = SkipVariable(text, i);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                // Numbers (0.95, 1e3, 0x1f) and durations (5m, 1h30m) alike.
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '.' or '_'))
                {
                    i++;
                }
            }
            else if (char.IsAsciiLetter(c) || c is '_' or ':')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or ':'))
                {
                    i++;
                }
                var word = text[start..i];
                var next = i;
                while (next < text.Length && char.IsWhiteSpace(text[next]))
                {
                    next++;
                }
                var beforeParenthesis = next < text.Length && text[next] == '(';
                if (LabelListKeywords.Contains(word))
                {
                    if (beforeParenthesis)
                    {
                        i = SkipGroup(text, next, '(', ')');
                    }
                }
                else if (!beforeParenthesis && !Keywords.Contains(word))
                {
                    names.Add(word);
                }
            }
            else
            {
                i++;
            }
        }
        return names;
    }

    /// <summary>The family a series name belongs to: <c>x_bucket</c>, <c>x_sum</c> and <c>x_count</c> to <c>x</c> when <c>x</c> is a histogram.</summary>
    public static string FamilyOf(string name, IReadOnlySet<string> histograms)
    {
        foreach (var suffix in HistogramSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && histograms.Contains(name[..^suffix.Length]))
            {
                return name[..^suffix.Length];
            }
        }
        return name;
    }

    private static int SkipString(string text, int start)
    {
        var quote = text[start];
        var i = start + 1;
        while (i < text.Length && text[i] != quote)
        {
            // Backticks delimit raw strings; the other quotes allow escapes.
            i += quote != '`' && text[i] == '\\' ? 2 : 1;
        }
        return Math.Min(i + 1, text.Length);
    }

    /// <summary>Past the bracket that closes the one at <paramref name="start"/>, skipping strings inside.</summary>
    private static int SkipGroup(string text, int start, char open, char close)
    {
        var depth = 0;
        var i = start;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(text, i);
                continue;
            }
            if (c == open)
            {
                depth++;
            }
            else if (c == close && --depth == 0)
            {
                return i + 1;
            }
            i++;
        }
        return text.Length;
    }

    /// <summary>A Grafana variable: <c>$name</c> or <c>${name}</c>.</summary>
    private static int SkipVariable(string text, int start)
    {
        var i = start + 1;
        if (i < text.Length && text[i] == '{')
        {
            return SkipGroup(text, i, '{', '}');
        }
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }
        return i;
    }
}
