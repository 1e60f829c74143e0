using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Hosting;

/// <summary>
/// Picks the handler for a request by the shape of its bearer token, without trying handlers in turn.
/// API keys are the only kind so far; their handler also answers for requests without a Veza token (no result,
/// and the RFC 6750 challenge when the endpoint needs authentication).
/// </summary>
internal static class VezaSchemeSelector
{
    public static string Select(HttpContext context) => VezaAuthenticationDefaults.ApiKeyScheme;
}
