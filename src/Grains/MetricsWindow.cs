namespace Domu.Grains;

/// <summary>
/// The rolling window: events in arrival order plus running sums, so a report is O(1).
/// Latency is kept in whole microseconds and confidence in billionths, summed as integers, so the
/// sums never drift: after any sequence of additions and evictions they equal a recomputation over
/// the events still held, and an emptied window sums to exactly zero.
/// </summary>
public sealed class MetricsWindow
{
    private readonly Queue<Entry> _entries = new();
    private readonly long _durationTicks;
    private readonly int _maxEvents;
    private Int128 _latencyMicros;
    private Int128 _confidenceBillionths;
    private int _successes;
    private int _highWater;

    public MetricsWindow(TimeSpan duration, int maxEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(maxEvents);
        _durationTicks = duration.Ticks;
        _maxEvents = maxEvents;
    }

    public int Count => _entries.Count;

    /// <summary>The integer sums the report is computed from.</summary>
    public WindowSums Sums => new(_entries.Count, _latencyMicros, _successes, _confidenceBillionths);

    public void Add(VoiceEvent voiceEvent, DateTimeOffset arrival)
    {
        ArgumentNullException.ThrowIfNull(voiceEvent);
        var entry = new Entry(
            arrival.UtcTicks,
            ToMicros(voiceEvent.LatencyMs),
            ToBillionths(voiceEvent.Confidence),
            voiceEvent.Success);
        _entries.Enqueue(entry);
        _latencyMicros += entry.LatencyMicros;
        _confidenceBillionths += entry.ConfidenceBillionths;
        _successes += entry.Success ? 1 : 0;
        _highWater = Math.Max(_highWater, _entries.Count);

        if (_maxEvents > 0)
        {
            while (_entries.Count > _maxEvents)
            {
                RemoveOldest();
            }
        }
    }

    /// <summary>Drops every event older than the window's duration; returns how many went.</summary>
    public int Evict(DateTimeOffset now)
    {
        var cutoff = now.UtcTicks - _durationTicks;
        var evicted = 0;
        while (_entries.TryPeek(out var oldest) && oldest.ArrivalTicks < cutoff)
        {
            RemoveOldest();
            evicted++;
        }

        // Give back the buffer a burst grew once the window has shrunk well below it.
        if (_highWater > 1024 && _entries.Count < _highWater / 4)
        {
            _entries.TrimExcess();
            _highWater = _entries.Count;
        }
        return evicted;
    }

    /// <summary>The seed's four figures over what the window holds now (call <see cref="Evict"/> first).</summary>
    public WindowReport Report() => Sums.ToReport();

    /// <summary>Recomputes the sums from the held events, without the running totals.</summary>
    public WindowSums Recompute()
    {
        Int128 latency = 0, confidence = 0;
        var successes = 0;
        foreach (var entry in _entries)
        {
            latency += entry.LatencyMicros;
            confidence += entry.ConfidenceBillionths;
            successes += entry.Success ? 1 : 0;
        }
        return new WindowSums(_entries.Count, latency, successes, confidence);
    }

    public static long ToMicros(double latencyMs) =>
        (long)Math.Round(latencyMs * 1_000, MidpointRounding.AwayFromZero);

    public static long ToBillionths(double confidence) =>
        (long)Math.Round(confidence * 1_000_000_000, MidpointRounding.AwayFromZero);

    private void RemoveOldest()
    {
        var entry = _entries.Dequeue();
        _latencyMicros -= entry.LatencyMicros;
        _confidenceBillionths -= entry.ConfidenceBillionths;
        _successes -= entry.Success ? 1 : 0;
    }

    private readonly record struct Entry(long ArrivalTicks, long LatencyMicros, long ConfidenceBillionths, bool Success);
}

/// <summary>Exact integer sums over a window's events.</summary>
public readonly record struct WindowSums(int Count, Int128 LatencyMicros, int Successes, Int128 ConfidenceBillionths)
{
    public WindowReport ToReport()
    {
        if (Count == 0)
        {
            return WindowReport.Empty;
        }

        // Decimal keeps the division exact enough that rounding to 2 or 3 places is the only rounding.
        var avgLatencyMs = (decimal)LatencyMicros / Count / 1_000m;
        var errorRate = (decimal)(Count - Successes) / Count;
        var avgConfidence = (decimal)ConfidenceBillionths / Count / 1_000_000_000m;
        return new WindowReport(
            Count,
            (double)Math.Round(avgLatencyMs, 2, MidpointRounding.AwayFromZero),
            (double)Math.Round(errorRate, 3, MidpointRounding.AwayFromZero),
            (double)Math.Round(avgConfidence, 3, MidpointRounding.AwayFromZero));
    }
}
