namespace Veza.Authentication.Samples.Worker;

/// <summary>The <c>Veza</c> configuration section: where to get tokens, as whom, and what to call.</summary>
public sealed class WorkerOptions
{
    /// <summary>The authorization server's issuer; its metadata is read from <c>/.well-known/oauth-authorization-server</c>.</summary>
    public Uri Authority { get; set; } = new("http://127.0.0.1:5080");

    /// <summary>The OAuth2 client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The OAuth2 client secret.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The scopes to ask for (space-separated); empty for every scope the client is allowed.</summary>
    public string Scope { get; set; } = "";

    /// <summary>The API the worker calls.</summary>
    public Uri ApiBaseAddress { get; set; } = new("http://127.0.0.1:5080");

    /// <summary>Time between rounds of calls.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many rounds to run before stopping; 0 runs until stopped.</summary>
    public int Iterations { get; set; }

    /// <summary>How long before its expiry a cached token is replaced.</summary>
    public TimeSpan RenewBeforeExpiry { get; set; } = TimeSpan.FromSeconds(30);
}
