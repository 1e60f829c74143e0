using Veza.Authentication.OAuth2.Grants;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>Reads a <c>client_credentials</c> request: an optional <c>scope</c>.</summary>
internal sealed class ClientCredentialsRequestParser(ITokenGrantHandler<ClientCredentialsRequest> grant) : TokenRequestParser<ClientCredentialsRequest>(grant)
{
    protected override ClientCredentialsRequest? Parse(IReadOnlyDictionary<string, string> form, out string? invalid)
    {
        invalid = null;
        return new ClientCredentialsRequest(form.TryGetValue(OAuthConstants.Parameters.Scope, out var scope) ? OAuthProtocol.ReadScopes(scope) : null);
    }
}
