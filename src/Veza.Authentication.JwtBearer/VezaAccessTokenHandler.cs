using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Veza.Authentication.JwtBearer;

/// <summary>
/// The token handler JwtBearer validates with: Microsoft.IdentityModel's own validation (signature with a published key,
/// RS256 or ES256, <c>typ</c>, issuer, audience, lifetime), read again once when a token names a key not known yet, and
/// then the change feed's verdict. A token that passes becomes the Veza principal (<see cref="VezaClaims"/>).
/// </summary>
internal sealed class VezaAccessTokenHandler(VezaResourceServer server) : JsonWebTokenHandler
{
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException
            && await server.Configuration.RefreshForUnknownKeyAsync(CancellationToken.None).ConfigureAwait(false))
        {
            // A key the server has just added: validate once more with the keys read now.
            validationParameters.IssuerSigningKeys = server.Configuration.Current!.Protocol.SigningKeys;
            result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            return result;
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (TokenAccess.Read(jwt) is not { } access)
        {
            return Refuse(VezaTokenRefusedException.NotVeza, null);
        }

        var (verdict, reason) = await server.States.DecideAsync(access, CancellationToken.None).ConfigureAwait(false);
        return verdict switch
        {
            TokenVerdict.Accepted => new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = jwt,
                Issuer = jwt.Issuer,
                TokenType = jwt.Typ,
                ClaimsIdentity = VezaClaims.Create(jwt, access, validationParameters.AuthenticationType ?? "Veza"),
            },
            TokenVerdict.Refused => Refuse(new VezaTokenRefusedException(reason!), access.ClientId),
            _ => Refuse(new VezaTokenUnverifiableException(reason!), access.ClientId),
        };
    }

    private TokenValidationResult Refuse(Exception exception, string? clientId)
    {
        Log.TokenRefused(server.Logger, exception.Message, clientId);
        return new TokenValidationResult { IsValid = false, Exception = exception };
    }
}

/// <summary>A token that is valid by its signature but may not be used: revoked, its client or grant gone, or the
/// server switched off. Answered 401 <c>invalid_token</c>, like any other refused token.</summary>
internal sealed class VezaTokenRefusedException(string reason) : SecurityTokenValidationException(reason)
{
    public static VezaTokenRefusedException NotVeza => new("the token lacks the claims of a Veza access token");
}

/// <summary>A token nobody here can vouch for now: the change feed is behind, or the server could not be asked.
/// Answered 503, so the caller retries rather than throws its token away.</summary>
internal sealed class VezaTokenUnverifiableException(string reason, Exception? inner = null) : SecurityTokenValidationException(reason, inner);
