namespace Veza.Authentication.Administration;

/// <summary>Options of the Administration pages (<c>AddVezaAdministration</c>).</summary>
public sealed class VezaAdministrationOptions
{
    /// <summary>
    /// The host's interactive sign-in scheme (usually a cookie scheme) that the pages read the signed-in user from and
    /// challenge when nobody is signed in. Default: <c>VezaAuthenticationOptions.OAuth2.InteractiveScheme</c>, the scheme
    /// the authorization endpoint uses. Bearer credentials (API keys, access tokens) never reach the pages.
    /// </summary>
    public string? AuthenticationScheme { get; set; }

    /// <summary>How many keys, clients or apps one page of a list shows, 1 to 100. Default 25.</summary>
    public int PageSize { get; set; } = 25;

    /// <summary>The host's page for the signed-in user's account (where they sign out), linked from the pages' header
    /// as "Account"; <see langword="null"/> for no link.</summary>
    public string? AccountPath { get; set; }
}
