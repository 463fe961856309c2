using BenchmarkDotNet.Attributes;
using Domu.Grains;

namespace Domu.Benchmarks;

/// <summary>
/// What a read of the window costs: the seed's four figures alone (O(1) from the running sums, the
/// baseline) against the full report with exact percentiles and per-intent rows, right after a new
/// event (recomputed) and with nothing new (served from the last report).
/// </summary>
[MemoryDiagnoser]
public class WindowReportBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private MetricsWindow _window = null!;
    private VoiceEvent _next = null!;

    /// <summary>The seed's cap, a busy five minutes, and a large uncapped window.</summary>
    [Params(30, 1_000, 100_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _window = new MetricsWindow(TimeSpan.FromMinutes(5), Events);
        for (var i = 0; i < Events; i++)
        {
            _window.Add(Event(random, i), Now);
        }
        _next = Event(random, Events);
    }

    [Benchmark(Baseline = true, Description = "seed figures (sums only)")]
    public SeedFigures SeedFigures() => _window.Sums.ToSeedFigures();

    [Benchmark(Description = "full report, window changed")]
    public WindowReport ReportAfterAdd()
    {
        _window.Add(_next, Now);
        return _window.Report(Now);
    }

    [Benchmark(Description = "full report, unchanged")]
    public WindowReport ReportUnchanged() => _window.Report(Now);

    [Benchmark(Description = "add one event")]
    public int Add()
    {
        _window.Add(_next, Now);
        return _window.Count;
    }

    private static VoiceEvent Event(Random random, int i) =>
        new(Now, $"s{i % 500}", $"Intent{random.Next(25)}", random.Next(20, 5_000), random.NextDouble() > 0.08, random.NextDouble());
}
