using System.Text;
using Domu.Ingest;
using Domu.Testing;

namespace Domu.Grains.Tests;

public sealed class MetricsWindowGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly IngestValidator Validator = new(new IngestOptions(), TimeProvider.System);

    private static VoiceEvent Parse(string json) => Validator.Validate(Encoding.UTF8.GetBytes(json)).Event!;

    private IMetricsWindowGrain Window(string key) => fixture.Grains.GetGrain<IMetricsWindowGrain>(key);

    [Fact]
    public async Task A_new_window_reports_zeros()
    {
        Assert.Equal(new Seed(0, 0, 0, 0), (await Window("fresh").GetReportAsync()).Seed());
    }

    [Fact]
    public async Task The_seed_event_is_reported_with_its_own_figures()
    {
        var window = Window("seed");

        await window.RecordAsync(Parse(SampleEvents.Seed));

        Assert.Equal(new Seed(1, 250, 0, 0.95), (await window.GetReportAsync()).Seed());
    }

    [Fact]
    public async Task Fifteen_known_events_give_the_exact_figures()
    {
        var window = Window("fifteen");
        foreach (var json in SampleEvents.Fifteen())
        {
            await window.RecordAsync(Parse(json));
        }

        Assert.Equal(new Seed(15, 800, 0.2, 0.71), (await window.GetReportAsync()).Seed());
    }

    [Fact]
    public async Task The_cap_comes_from_configuration()
    {
        var window = Window("capped");
        for (var i = 1; i <= 25; i++)
        {
            await window.RecordAsync(Parse(SampleEvents.Event(i, true, 0.5)));
        }

        // Events 6..25 remain.
        Assert.Equal(new Seed(ClusterFixture.MaxEvents, 15.5, 0, 0.5), (await window.GetReportAsync()).Seed());
    }

    [Fact]
    public async Task Concurrent_calls_are_all_counted()
    {
        var window = Window("concurrent");

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            window.RecordAsync(Parse(SampleEvents.Event(100, true, 0.8))).AsTask()));

        Assert.Equal(new Seed(ClusterFixture.MaxEvents, 100, 0, 0.8), (await window.GetReportAsync()).Seed());
    }

    [Fact]
    public async Task Events_leave_the_window_by_arrival_time_not_by_their_timestamp()
    {
        var window = Window("expiry");

        // A 2024 timestamp still counts when it arrives now.
        await window.RecordAsync(Parse(SampleEvents.Seed));
        Assert.Equal(1, (await window.GetReportAsync()).TotalEvents);

        ShiftableClock.Instance.Advance(TimeSpan.FromMinutes(4));
        await window.RecordAsync(Parse(SampleEvents.Event(750, false, 0.5)));
        Assert.Equal(new Seed(2, 500, 0.5, 0.725), (await window.GetReportAsync()).Seed());

        ShiftableClock.Instance.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(new Seed(1, 750, 1, 0.5), (await window.GetReportAsync()).Seed());

        ShiftableClock.Instance.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(default, (await window.GetReportAsync()).Seed());
    }
}
