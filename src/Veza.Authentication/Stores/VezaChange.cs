namespace Veza.Authentication.Stores;

/// <summary>
/// One entry of the change feed: something that instances may hold in memory changed in a store. Entries say only
/// what changed, never how; an instance that reads one forgets what it remembered about that thing and reads it again
/// when next asked.
/// </summary>
/// <param name="Sequence">The position in the feed, assigned by the store when the change commits: strictly
/// increasing in commit order, so a reader that has applied every entry up to a sequence has seen every change
/// committed before it. Gaps are allowed (a rolled-back write may use one up).</param>
/// <param name="Kind">What changed.</param>
/// <param name="Id">Which one: a key, client, grant, token or signing key id, as <paramref name="Kind"/> says.</param>
/// <param name="RecordedAt">When the store recorded it, by the store's clock; used only to prune old entries, never
/// to order them.</param>
public sealed record VezaChange(long Sequence, VezaChangeKind Kind, string Id, DateTimeOffset RecordedAt);
