using System.Globalization;
using Domu.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Domu.Grains.Tests;

/// <summary>A silo whose simulator ticks every 2 s (the reminder minimum lowered for tests only).</summary>
public sealed class SimulatorClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    public TestCluster Cluster { get; } = new TestClusterBuilder(1)
        .ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulator:Enabled"] = "true",
            ["Simulator:Period"] = Period.ToString("c", CultureInfo.InvariantCulture),
            ["Simulator:FirstTickDelay"] = "00:00:00.300",
            ["Simulator:EventsPerTick"] = "3",
            ["Simulator:SyntheticSeed"] = "11",
            ["Window:MaxEvents"] = "0",
        }))
        .AddSiloBuilderConfigurator<Configurator>()
        .Build();

    public ISimulatorGrain Simulator => Cluster.GrainFactory.GetGrain<ISimulatorGrain>(ISimulatorGrain.DefaultKey);

    /// <summary>How long after the silo started the first simulated batch was in the window, asking only the window.</summary>
    public TimeSpan? FirstBatchAfterStart { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Cluster.DeployAsync();
        var window = Cluster.GrainFactory.GetGrain<IMetricsWindowGrain>(IMetricsWindowGrain.DefaultKey);
        while (started.Elapsed < TimeSpan.FromSeconds(15))
        {
            if ((await window.GetReportAsync()).TotalEvents > 0)
            {
                FirstBatchAfterStart = started.Elapsed;
                break;
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddDomuGrains()
            .Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }
}

public sealed class SimulatorGrainTests(SimulatorClusterFixture fixture) : IClassFixture<SimulatorClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private async Task<SimulatorStatus> WaitForAsync(Func<SimulatorStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var status = await fixture.Simulator.GetStatusAsync();
            if (condition(status))
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {Patience}: {status}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public void The_start_up_task_starts_ticking_without_any_call()
    {
        Assert.NotNull(fixture.FirstBatchAfterStart);
        TestContext.Current.TestOutputHelper?.WriteLine($"first batch {fixture.FirstBatchAfterStart!.Value.TotalSeconds:F2} s after the silo started");
    }

    [Fact]
    public async Task A_tick_delivers_its_batch_to_the_window_and_reports_it()
    {
        // Another test may have deactivated the window or restarted the silo since earlier ticks: wait
        // for a tick of this test's own.
        var before = (await fixture.Simulator.StartAsync()).Totals.Ticks;

        var status = await WaitForAsync(s => s.Totals.Ticks > before);

        Assert.True(status.Enabled);
        Assert.Equal("synthetic", status.Source);
        Assert.Equal(SimulatorClusterFixture.Period, status.Period);
        Assert.Equal(("synthetic", "ok", 3, 0), (status.LastTick!.Source, status.LastTick.Outcome, status.LastTick.Delivered, status.LastTick.Dropped));
        Assert.NotNull(status.NextTickAt);
        var report = await fixture.Cluster.GrainFactory.GetGrain<IMetricsWindowGrain>(IMetricsWindowGrain.DefaultKey).GetReportAsync();
        Assert.True(report.TotalEvents >= 3, report.ToString());
    }

    [Fact]
    public async Task Ticks_repeat_every_period()
    {
        await fixture.Simulator.StartAsync();
        var first = await WaitForAsync(s => s.LastTick is not null);

        var next = await WaitForAsync(s => s.Totals.Ticks >= first.Totals.Ticks + 2);

        var gap = next.LastTick!.At - first.LastTick!.At;
        Assert.InRange(gap, SimulatorClusterFixture.Period, 4 * SimulatorClusterFixture.Period);
        Assert.Equal(next.Totals.Ticks * 3, next.Totals.EventsGenerated);
    }

    [Fact]
    public async Task Stop_unregisters_the_reminder_and_start_brings_it_back()
    {
        await fixture.Simulator.StartAsync();
        await WaitForAsync(s => s.Totals.Ticks >= 1);

        var stopped = await fixture.Simulator.StopAsync();
        await Task.Delay(2 * SimulatorClusterFixture.Period, TestContext.Current.CancellationToken);
        var later = await fixture.Simulator.GetStatusAsync();

        Assert.False(stopped.Enabled);
        Assert.Null(stopped.NextTickAt);
        Assert.Equal(stopped.Totals.Ticks, later.Totals.Ticks);

        var started = await fixture.Simulator.StartAsync();
        Assert.True(started.Enabled);
        await WaitForAsync(s => s.Totals.Ticks > later.Totals.Ticks);
    }

    [Fact]
    public async Task Start_on_a_running_simulator_keeps_its_schedule()
    {
        var first = await fixture.Simulator.StartAsync();

        var again = await fixture.Simulator.StartAsync();

        Assert.True(again.Enabled);
        Assert.Equal(first.NextTickAt, again.NextTickAt);
    }

    [Fact]
    public async Task The_state_survives_the_grain_being_deactivated()
    {
        await fixture.Simulator.StartAsync();
        await WaitForAsync(s => s.Totals.Ticks >= 1);
        var stopped = await fixture.Simulator.StopAsync();

        await fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await fixture.Simulator.GetStatusAsync();

        Assert.False(after.Enabled);
        Assert.Equal(stopped.Totals.Ticks, after.Totals.Ticks);
        Assert.Equal(stopped.Totals.EventsGenerated, after.Totals.EventsGenerated);
        Assert.Equal(stopped.LastTick, after.LastTick);
        await fixture.Simulator.StartAsync();
    }
}

/// <summary>A silo restarted in place: the start-up task must bring the simulator back with no call.</summary>
public sealed class SimulatorRestartTests
{
    [Fact]
    public async Task Generation_resumes_after_the_silo_restarts_without_any_call()
    {
        await using var fixture = new SimulatorClusterFixture();
        await fixture.InitializeAsync();
        Assert.NotNull(fixture.FirstBatchAfterStart);

        await fixture.Cluster.RestartSiloAsync(fixture.Cluster.Primary!);
        await fixture.Cluster.InitializeClientAsync();

        var window = fixture.Cluster.GrainFactory.GetGrain<IMetricsWindowGrain>(IMetricsWindowGrain.DefaultKey);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var report = await window.GetReportAsync();
        while (report.TotalEvents == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            report = await window.GetReportAsync();
        }

        // The restarted silo's window started empty; what it holds now came from ticks after the restart.
        Assert.True(report.TotalEvents >= 3, report.ToString());
        Assert.True((await fixture.Simulator.GetStatusAsync()).Enabled);
    }
}
