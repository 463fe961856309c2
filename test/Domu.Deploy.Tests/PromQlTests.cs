namespace Domu.Deploy.Tests;

public sealed class PromQlTests
{
    public static TheoryData<string, string[]> Expressions() => new()
    {
        { "voice_events_total", ["voice_events_total"] },
        { "sum by (le) (rate(lat_seconds_bucket{job=\"api\",le!~\"0.5\"}[5m]))", ["lat_seconds_bucket"] },
        { "histogram_quantile(0.95, sum(rate(lat_seconds_bucket[$__rate_interval])) by (le)) > 2", ["lat_seconds_bucket"] },
        {
            "sum(rate(events_total{outcome=\"failure\"}[5m])) / sum(rate(events_total[5m])) > 0.10 and sum(rate(other_total[5m])) > 0",
            ["events_total", "other_total"]
        },
        { "errors / on(instance) group_left(version) build_info offset 1h30m", ["build_info", "errors"] },
        { "a * ignoring (code) group_right b", ["a", "b"] },
        { "max without (instance) (job:requests:rate5m) == bool 1e3", ["job:requests:rate5m"] },
        { "label_replace(up, \"dst\", \"$1\", \"instance\", \"(.*):.*\")", ["up"] },
        { "absent(foo) or count(bar{a=\"{\"}) unless baz @ start()", ["bar", "baz", "foo"] },
        { "rate(requests_total[5m:1m]) and topk(3, x) < -.5", ["requests_total", "x"] },
        { "left{l=\"\\\"}\"} + right{l=`}`}", ["left", "right"] },
        { "sum by (intent) (rate(x[5m])) # not_a_metric here\n + y", ["x", "y"] },
        { "sum(rate(x[${interval}])) + ${var} + inf - NaN", ["x"] },
        { "count_values(\"v\", build) atan2 quantile(0.9, z)", ["build", "z"] },
        { "sum(increase(ticks_total[10m])) == 0\nor\nabsent(ticks_total)", ["ticks_total"] },
    };

    [Theory]
    [MemberData(nameof(Expressions))]
    public void The_tokenizer_finds_exactly_the_metric_names(string expression, string[] expected) =>
        Assert.Equal(expected, PromQl.MetricNames(expression).Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("lat_seconds_bucket", "lat_seconds")]
    [InlineData("lat_seconds_sum", "lat_seconds")]
    [InlineData("lat_seconds_count", "lat_seconds")]
    [InlineData("events_count", "events_count")] // not a histogram: the name stands
    [InlineData("lat_seconds", "lat_seconds")]
    public void Histogram_series_map_to_their_family(string name, string family) =>
        Assert.Equal(family, PromQl.FamilyOf(name, new HashSet<string> { "lat_seconds" }));

    [Fact]
    public void Nested_panels_of_collapsed_rows_are_read()
    {
        var titles = Queries.Panels(Queries.Dashboard()).Select(panel => (string?)panel["title"]).ToList();
        var nested = Queries.Dashboard()["panels"]!.AsArray()
            .SelectMany(panel => panel!["panels"]?.AsArray() ?? [])
            .Select(panel => (string?)panel!["title"])
            .ToList();
        Assert.NotEmpty(nested);
        Assert.All(nested, title => Assert.Contains(title, titles));
    }
}
