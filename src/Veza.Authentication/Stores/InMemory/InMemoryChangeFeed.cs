namespace Veza.Authentication.Stores.InMemory;

/// <summary>
/// An <see cref="IVezaChangeFeed"/> in process memory, shared by the in-memory stores given it: each appends its
/// entries while it still holds its own lock, so an entry becomes visible together with its change and sequences
/// follow commit order. Every instance that shares these stores (tests of several instances) must share this feed.
/// </summary>
public sealed class InMemoryChangeFeed : IVezaChangeFeed
{
    private readonly Lock _lock = new();
    private readonly List<VezaChange> _entries = [];
    private readonly TimeProvider _time;
    private long _last;
    private long _prunedThrough;

    /// <summary>Creates an empty feed that stamps entries with the system clock.</summary>
    public InMemoryChangeFeed()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates an empty feed.</summary>
    /// <param name="time">The clock entries are stamped with (for pruning only).</param>
    public InMemoryChangeFeed(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Appends an entry; a store calls it inside the operation that made the change.</summary>
    /// <param name="kind">What changed.</param>
    /// <param name="id">Which one.</param>
    /// <returns>The entry's sequence.</returns>
    public long Append(VezaChangeKind kind, string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            var entry = new VezaChange(++_last, kind, id, _time.GetUtcNow());
            _entries.Add(entry);
            return entry.Sequence;
        }
    }

    /// <summary>Appends one entry per id, in order.</summary>
    /// <param name="kind">What changed.</param>
    /// <param name="ids">Which ones.</param>
    public void Append(VezaChangeKind kind, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_lock)
        {
            foreach (var id in ids)
            {
                Append(kind, id);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_last);
        }
    }

    /// <inheritdoc />
    public ValueTask<VezaChangePage> ReadAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // Entries are kept in sequence order: find the first after the reader's position by binary search.
            int low = 0, high = _entries.Count;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (_entries[middle].Sequence <= afterSequence)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            var count = Math.Min(maxCount, _entries.Count - low);
            return ValueTask.FromResult(new VezaChangePage(_entries.GetRange(low, count), _prunedThrough));
        }
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var removed = 0;
            foreach (var entry in _entries)
            {
                if (entry.RecordedAt < recordedBefore)
                {
                    _prunedThrough = Math.Max(_prunedThrough, entry.Sequence);
                    removed++;
                }
            }

            _entries.RemoveAll(e => e.RecordedAt < recordedBefore);
            return ValueTask.FromResult(removed);
        }
    }
}
