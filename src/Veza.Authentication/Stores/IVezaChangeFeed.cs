namespace Veza.Authentication.Stores;

/// <summary>
/// The feed of changes every instance follows, so that a change made through one instance (a key revoked, a client
/// disabled, a grant revoked, a token revoked, the OAuth2 switch turned off, a signing key added) holds on every
/// other within <see cref="Hosting.VezaStoreOptions.ChangePollInterval"/>.
/// </summary>
/// <remarks>
/// <para>The stores append entries themselves, in the same operation (transaction) as the change they describe, so a
/// change is never stored without its entry. The sequence is assigned by the store, in commit order: an entry must
/// never become visible with a sequence lower than one a reader has already seen. A database store can ensure this
/// by assigning sequences under a lock held until commit. Readers also wait a while for a missing sequence, so a
/// store that cannot guarantee the order loses nothing to a write that commits a little late.</para>
/// <para>Implementations must be safe for concurrent use by every instance.</para>
/// </remarks>
public interface IVezaChangeFeed
{
    /// <summary>The highest sequence recorded so far (0 when the feed is empty).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The sequence.</returns>
    ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken);

    /// <summary>The entries after <paramref name="afterSequence"/>, oldest first.</summary>
    /// <param name="afterSequence">The last sequence the reader has applied.</param>
    /// <param name="maxCount">The most entries to return.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries and how far the feed has been pruned.</returns>
    ValueTask<VezaChangePage> ReadAsync(long afterSequence, int maxCount, CancellationToken cancellationToken);

    /// <summary>Removes the entries recorded before <paramref name="recordedBefore"/>. Safe when every instance prunes
    /// at once.</summary>
    /// <param name="recordedBefore">Entries recorded before this time go.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many entries were removed.</returns>
    ValueTask<int> PruneAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken);
}
