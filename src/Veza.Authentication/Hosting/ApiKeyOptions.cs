namespace Veza.Authentication.Hosting;

/// <summary>API key settings.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>
    /// The prefix of every key string (1 to 16 lowercase ASCII letters or digits). Default <c>veza</c>.
    /// Changing it makes every key issued before unrecognisable.
    /// </summary>
    public string Prefix { get; set; } = "veza";

    /// <summary>
    /// How often last-use times are written to the store in one batch. Default 30 seconds. A shorter interval
    /// means fresher <c>last_access_at</c> values and more store writes.
    /// </summary>
    public TimeSpan LastAccessFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most personal keys one user may hold in one team. Default 20. Creating one more answers 429
    /// (<c>RESOURCE_EXHAUSTED</c>, reason <c>KEY_QUOTA_EXCEEDED</c>) until one is deleted.
    /// </summary>
    public int MaxPersonalKeysPerUserAndTeam { get; set; } = 20;

    /// <summary>
    /// The most team keys one team may hold. Default 50. Creating one more answers 429 (<c>KEY_QUOTA_EXCEEDED</c>).
    /// </summary>
    public int MaxTeamKeysPerTeam { get; set; } = 50;
}
