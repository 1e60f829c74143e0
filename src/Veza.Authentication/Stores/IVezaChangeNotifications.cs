namespace Veza.Authentication.Stores;

/// <summary>
/// Implemented by an <see cref="IVezaChangeFeed"/> that can tell its readers that entries were appended, so that a
/// change reaches every instance in about the time of one round trip instead of one poll interval (PostgreSQL's
/// <c>LISTEN/NOTIFY</c>, for example). Readers keep polling as well: a notification may be lost (a dropped connection,
/// a pooler that does not pass them on), and then the next poll finds the entries.
/// </summary>
public interface IVezaChangeNotifications
{
    /// <summary>Completes when entries may have been appended since the call, by any instance. Waking without new
    /// entries is allowed; missing some is allowed too (the poll covers it). Never completes while notifications are
    /// unavailable.</summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>A task that completes on a notification.</returns>
    Task WaitForChangesAsync(CancellationToken cancellationToken);
}
