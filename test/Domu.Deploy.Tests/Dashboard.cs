using System.Text.Json.Nodes;

namespace Domu.Deploy.Tests;

/// <summary>The Grafana dashboard and the alert rules, as the PromQL they run.</summary>
public static class Queries
{
    public const string DashboardPath = "deploy/grafana/dashboards/domu.json";
    public const string AlertsPath = "deploy/prometheus/alerts.yml";

    public static JsonObject Dashboard() => JsonNode.Parse(Repo.Read(DashboardPath))!.AsObject();

    /// <summary>Every panel, those nested in (collapsed) rows included.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        var pending = new Stack<JsonObject>((dashboard["panels"]?.AsArray() ?? []).Select(panel => panel!.AsObject()).Reverse());
        while (pending.TryPop(out var panel))
        {
            yield return panel;
            foreach (var child in (panel["panels"]?.AsArray() ?? []).Select(child => child!.AsObject()).Reverse())
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>Each query of the dashboard with the title of its panel.</summary>
    public static IReadOnlyList<(string Where, string Expression)> DashboardExpressions() =>
        Panels(Dashboard())
            .SelectMany(panel => (panel["targets"]?.AsArray() ?? [])
                .Select(target => target?["expr"]?.GetValue<string>())
                .Where(expr => !string.IsNullOrWhiteSpace(expr))
                .Select(expr => ($"panel '{panel["title"]}'", expr!)))
            .ToList();

    /// <summary>Each alert's expression with the alert's name.</summary>
    public static IReadOnlyList<(string Where, string Expression)> AlertExpressions() =>
        Yaml.Load(AlertsPath).Items("groups")
            .SelectMany(group => group.Items("rules"))
            .Select(rule => ($"alert {rule.Scalar("alert") ?? rule.Scalar("record")}", rule.Scalar("expr") ?? ""))
            .ToList();

    /// <summary>Each metric name used, with the places that use it.</summary>
    public static IReadOnlyDictionary<string, List<string>> MetricNames(IEnumerable<(string Where, string Expression)> queries)
    {
        var result = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (where, expression) in queries)
        {
            foreach (var name in PromQl.MetricNames(expression))
            {
                if (!result.TryGetValue(name, out var places))
                {
                    result[name] = places = [];
                }
                if (!places.Contains(where))
                {
                    places.Add(where);
                }
            }
        }
        return result;
    }
}
