namespace Domu;

/// <summary>The rolling window of recent voice events and its running sums.</summary>
[Alias("Domu.IMetricsWindowGrain")]
public interface IMetricsWindowGrain : IGrainWithStringKey, ILocatedGrain
{
    /// <summary>The key of the window that every event goes to.</summary>
    const string DefaultKey = "default";

    /// <summary>Adds one validated event; it counts from the moment the grain receives it.</summary>
    [Alias("Record")]
    ValueTask RecordAsync(VoiceEvent voiceEvent);

    /// <summary>Adds a batch of validated events in one call, as the simulator delivers them.</summary>
    [Alias("RecordBatch")]
    ValueTask RecordBatchAsync(IReadOnlyList<VoiceEvent> voiceEvents);

    /// <summary>Evicts what has expired, then reports the figures over what remains.</summary>
    [Alias("GetReport")]
    ValueTask<WindowReport> GetReportAsync();
}
