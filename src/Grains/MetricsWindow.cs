namespace Domu.Grains;

/// <summary>
/// The rolling window: events in arrival order plus running sums. Latency is kept in whole
/// microseconds and confidence in billionths, summed as integers, so the sums never drift: after any
/// sequence of additions and evictions they equal a recomputation over the events still held, and an
/// emptied window sums to exactly zero. The seed's four figures come from the sums in O(1); the
/// percentiles and the per-intent rows need the held events, so they are computed when the window
/// has changed since the last report and served from that report otherwise.
/// </summary>
public sealed class MetricsWindow
{
    private readonly Queue<Entry> _entries = new();
    private readonly long _durationTicks;
    private readonly int _maxEvents;
    private readonly int _maxIntents;
    private Int128 _latencyMicros;
    private Int128 _confidenceBillionths;
    private int _successes;
    private int _highWater;
    private long _version;
    private (long Version, WindowReport Report)? _cached;

    public MetricsWindow(TimeSpan duration, int maxEvents, int maxIntents = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(maxEvents);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIntents, 1);
        _durationTicks = duration.Ticks;
        _maxEvents = maxEvents;
        _maxIntents = maxIntents;
    }

    public int Count => _entries.Count;

    /// <summary>The integer sums the seed's figures are computed from.</summary>
    public WindowSums Sums => new(_entries.Count, _latencyMicros, _successes, _confidenceBillionths);

    public void Add(VoiceEvent voiceEvent, DateTimeOffset arrival)
    {
        ArgumentNullException.ThrowIfNull(voiceEvent);
        var entry = new Entry(
            arrival.UtcTicks,
            ToMicros(voiceEvent.LatencyMs),
            ToBillionths(voiceEvent.Confidence),
            voiceEvent.Success,
            voiceEvent.Intent);
        _entries.Enqueue(entry);
        _latencyMicros += entry.LatencyMicros;
        _confidenceBillionths += entry.ConfidenceBillionths;
        _successes += entry.Success ? 1 : 0;
        _highWater = Math.Max(_highWater, _entries.Count);
        _version++;

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

    /// <summary>The figures over what the window holds now (call <see cref="Evict"/> first).</summary>
    public WindowReport Report(DateTimeOffset now)
    {
        if (_cached is not { } cached || cached.Version != _version)
        {
            cached = (_version, Compute());
            _cached = cached;
        }

        var oldestAge = _entries.TryPeek(out var oldest)
            ? Math.Max(0, TimeSpan.FromTicks(now.UtcTicks - oldest.ArrivalTicks).TotalSeconds)
            : 0;
        return cached.Report with { Window = cached.Report.Window with { OldestEventAgeSeconds = Math.Round(oldestAge, 3) } };
    }

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

    /// <summary>
    /// The nearest-rank percentile of ascending <paramref name="sorted"/> values: the smallest value
    /// with at least <paramref name="perMille"/>/1000 of the values at or below it. Integer
    /// arithmetic, so p95 of 1000 values is exactly the 950th.
    /// </summary>
    public static long NearestRank(ReadOnlySpan<long> sorted, int perMille)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }
        var rank = (int)Math.Max(1, (((long)sorted.Length * perMille) + 999) / 1000);
        return sorted[rank - 1];
    }

    private WindowReport Compute()
    {
        var info = new WindowInfo(TimeSpan.FromTicks(_durationTicks).TotalSeconds, _maxEvents, 0);
        if (_entries.Count == 0)
        {
            return new WindowReport(0, 0, 0, 0, 0, 0, 0, 0, 0, [], info);
        }

        var latencies = new long[_entries.Count];
        var byIntent = new Dictionary<string, IntentAccumulator>(StringComparer.Ordinal);
        var i = 0;
        foreach (var entry in _entries)
        {
            latencies[i++] = entry.LatencyMicros;
            if (!byIntent.TryGetValue(entry.Intent, out var accumulator))
            {
                accumulator = new IntentAccumulator();
                byIntent.Add(entry.Intent, accumulator);
            }
            accumulator.Add(entry);
        }
        Array.Sort(latencies);

        var seed = Sums.ToSeedFigures();
        return new WindowReport(
            seed.TotalEvents, seed.AvgLatencyMs, seed.ErrorRate, seed.AvgConfidence,
            MicrosToMs(NearestRank(latencies, 500)),
            MicrosToMs(NearestRank(latencies, 900)),
            MicrosToMs(NearestRank(latencies, 950)),
            MicrosToMs(NearestRank(latencies, 990)),
            MicrosToMs(latencies[^1]),
            IntentRows(byIntent),
            info);
    }

    /// <summary>
    /// The top intents by volume (ties by name), then one <c>other</c> row for the rest. An intent that
    /// is itself named <c>other</c> belongs to that row, so the row's name is never given twice.
    /// </summary>
    private List<IntentReport> IntentRows(Dictionary<string, IntentAccumulator> byIntent)
    {
        byIntent.Remove(IntentReport.Other, out var other);
        var ranked = byIntent.OrderByDescending(pair => pair.Value.Count).ThenBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        var rows = new List<IntentReport>(Math.Min(ranked.Count, _maxIntents) + 1);
        for (var rank = 0; rank < ranked.Count; rank++)
        {
            var (intent, accumulator) = ranked[rank];
            if (rank < _maxIntents)
            {
                rows.Add(accumulator.ToRow(intent));
            }
            else
            {
                (other ??= new IntentAccumulator()).Merge(accumulator);
            }
        }
        if (other is not null)
        {
            rows.Add(other.ToRow(IntentReport.Other));
        }
        return rows;
    }

    private static double MicrosToMs(long micros) => (double)(micros / 1_000m);

    private void RemoveOldest()
    {
        var entry = _entries.Dequeue();
        _latencyMicros -= entry.LatencyMicros;
        _confidenceBillionths -= entry.ConfidenceBillionths;
        _successes -= entry.Success ? 1 : 0;
        _version++;
    }

    private readonly record struct Entry(long ArrivalTicks, long LatencyMicros, long ConfidenceBillionths, bool Success, string Intent);

    private sealed class IntentAccumulator
    {
        private readonly List<long> _latencies = [];
        private Int128 _latencyMicros;
        private Int128 _confidenceBillionths;
        private int _successes;

        public int Count => _latencies.Count;

        public void Add(Entry entry)
        {
            _latencies.Add(entry.LatencyMicros);
            _latencyMicros += entry.LatencyMicros;
            _confidenceBillionths += entry.ConfidenceBillionths;
            _successes += entry.Success ? 1 : 0;
        }

        public void Merge(IntentAccumulator other)
        {
            _latencies.AddRange(other._latencies);
            _latencyMicros += other._latencyMicros;
            _confidenceBillionths += other._confidenceBillionths;
            _successes += other._successes;
        }

        public IntentReport ToRow(string intent)
        {
            var seed = new WindowSums(Count, _latencyMicros, _successes, _confidenceBillionths).ToSeedFigures();
            _latencies.Sort();
            return new IntentReport(intent, Count, seed.ErrorRate, seed.AvgLatencyMs,
                MicrosToMs(NearestRank(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_latencies), 950)), seed.AvgConfidence);
        }
    }
}

/// <summary>Exact integer sums over a window's events.</summary>
public readonly record struct WindowSums(int Count, Int128 LatencyMicros, int Successes, Int128 ConfidenceBillionths)
{
    /// <summary>The seed's four figures, rounded as the contract says; zeros when empty.</summary>
    public SeedFigures ToSeedFigures()
    {
        if (Count == 0)
        {
            return new SeedFigures(0, 0, 0, 0);
        }

        // Decimal keeps the division exact enough that rounding to 2 or 3 places is the only rounding.
        var avgLatencyMs = (decimal)LatencyMicros / Count / 1_000m;
        var errorRate = (decimal)(Count - Successes) / Count;
        var avgConfidence = (decimal)ConfidenceBillionths / Count / 1_000_000_000m;
        return new SeedFigures(
            Count,
            (double)Math.Round(avgLatencyMs, 2, MidpointRounding.AwayFromZero),
            (double)Math.Round(errorRate, 3, MidpointRounding.AwayFromZero),
            (double)Math.Round(avgConfidence, 3, MidpointRounding.AwayFromZero));
    }
}

/// <summary>The seed's four figures: events, mean latency (ms), error rate, mean confidence.</summary>
public readonly record struct SeedFigures(int TotalEvents, double AvgLatencyMs, double ErrorRate, double AvgConfidence);
