namespace Veza.Authentication.Stores;

/// <summary>What one read of the change feed returns.</summary>
/// <param name="Changes">The entries after the requested sequence, in ascending sequence order.</param>
/// <param name="PrunedThrough">The highest sequence the feed has pruned (0 when none): a reader whose last applied
/// sequence is below it may have missed entries, and must forget everything it remembers.</param>
public sealed record VezaChangePage(IReadOnlyList<VezaChange> Changes, long PrunedThrough);
