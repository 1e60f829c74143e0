using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Changes;

/// <summary>
/// Where one instance is in the change feed: every sequence up to <see cref="Position"/> is applied or given up on,
/// and above it the sequences already applied are remembered, as are the missing ones (gaps) with when they were
/// first seen missing. A gap is a write that has taken its sequence and not yet committed, or one that rolled back:
/// it is waited for until <see cref="VezaStoreOptions.ChangeGapWait"/> has passed, then passed over. Not thread-safe:
/// the feed reader alone uses it.
/// </summary>
internal sealed class ChangeCursor(long position)
{
    // Beyond this many missing sequences at once, something is wrong with the feed (or a sequence jumped): start over.
    private const int MaxTrackedGaps = 10_000;

    private readonly HashSet<long> _applied = [];
    private readonly SortedDictionary<long, long> _gaps = [];
    private long _highest = position;

    /// <summary>The sequence up to which everything is settled: the next read asks for entries after it.</summary>
    public long Position { get; private set; } = position;

    /// <summary>How many missing sequences are being waited for.</summary>
    public int GapCount => _gaps.Count;

    /// <summary>Whether <paramref name="change"/> is new to this instance (and marks it applied); false for an entry
    /// applied before, as entries above a gap are read again until the gap settles.</summary>
    public bool Accept(VezaChange change)
        => change.Sequence > Position && _applied.Add(change.Sequence);

    /// <summary>
    /// Records what a read returned, up to <paramref name="highest"/>, at monotonic time <paramref name="now"/>, and
    /// moves <see cref="Position"/> past every settled sequence. Returns <see langword="false"/> when the gaps grew
    /// past what is tracked (the caller forgets everything and calls <see cref="Reset"/>).
    /// </summary>
    public bool Settle(long highest, long now, long gapWaitTicks)
    {
        // Every sequence up to the highest seen before is already applied or a gap; only newer ones can be new gaps.
        for (var sequence = Math.Max(Position, _highest) + 1; sequence <= highest; sequence++)
        {
            if (!_applied.Contains(sequence))
            {
                if (_gaps.Count >= MaxTrackedGaps)
                {
                    return false;
                }

                _gaps.TryAdd(sequence, now);
            }
        }

        _highest = Math.Max(_highest, highest);
        while (true)
        {
            var next = Position + 1;
            if (_applied.Remove(next))
            {
                Position = next;
            }
            else if (_gaps.TryGetValue(next, out var missingSince) && now - missingSince >= gapWaitTicks)
            {
                _gaps.Remove(next);
                Position = next;
            }
            else
            {
                break;
            }
        }

        foreach (var filled in _gaps.Keys.Where(_applied.Contains).ToList())
        {
            _gaps.Remove(filled);
        }

        return true;
    }

    /// <summary>
    /// Whether entries this instance never applied may have been pruned: the feed pruned through
    /// <paramref name="prunedThrough"/>, and some sequence up to it is neither applied nor given up on.
    /// </summary>
    public bool MissedPruned(long prunedThrough)
    {
        if (prunedThrough <= Position)
        {
            return false;
        }

        // Only sequences above the position are remembered as applied: more pruned ones than that cannot all be.
        if (prunedThrough - Position > _applied.Count)
        {
            return true;
        }

        for (var sequence = Position + 1; sequence <= prunedThrough; sequence++)
        {
            if (!_applied.Contains(sequence))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Starts again at <paramref name="position"/>, after everything was forgotten.</summary>
    public void Reset(long position)
    {
        Position = position;
        _highest = position;
        _applied.Clear();
        _gaps.Clear();
    }
}
