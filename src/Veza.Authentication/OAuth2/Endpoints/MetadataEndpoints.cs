using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Stores;
using static Veza.Authentication.OAuth2.OAuthConstants;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// What a client reads before it calls the server: the authorization server metadata (RFC 8414), and the JSON Web Key
/// Set that verifies access tokens. Both may be cached for five minutes.
/// </summary>
internal static class MetadataEndpoints
{
    private const string CacheFiveMinutes = "public, max-age=300";

    public static async Task MetadataAsync(HttpContext context)
    {
        if (!await OAuthServerEndpoints.IsOnAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value;
        var oauth = options.OAuth2;
        var issuer = oauth.Issuer!;
        var scopes = options.Roles.Values.SelectMany(p => p).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var apps = StoreRegistrations.HasOAuth2Apps(services);
        string[] clientAuthentication = apps
            ? [ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost, ClientAuthenticationMethods.None]
            : [ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost];
        var grantTypes = services.GetRequiredService<TokenGrantTypes>().Offered;
        context.Response.Headers.CacheControl = CacheFiveMinutes;
        await OAuthProtocol.WriteJsonAsync(context, json =>
        {
            json.WriteString(Metadata.Issuer, issuer);
            json.WriteString(Metadata.TokenEndpoint, Url(issuer, oauth.TokenPath));
            json.WriteString(Metadata.JwksUri, Url(issuer, oauth.JwksPath));
            json.WriteString(Metadata.RevocationEndpoint, Url(issuer, oauth.RevocationPath));
            json.WriteString(Metadata.IntrospectionEndpoint, Url(issuer, oauth.IntrospectionPath));
            json.WriteString(Metadata.VezaChangeFeedEndpoint, Url(issuer, oauth.ChangeFeedPath));
            if (apps)
            {
                json.WriteString(Metadata.AuthorizationEndpoint, Url(issuer, oauth.AuthorizationPath));
                json.WriteBoolean(Metadata.AuthorizationResponseIssParameterSupported, true);
                WriteArray(json, Metadata.CodeChallengeMethodsSupported, [Values.S256]);
                WriteArray(json, Metadata.ResponseModesSupported, [Values.QueryResponseMode]);
            }

            WriteArray(json, Metadata.GrantTypesSupported, grantTypes);
            WriteArray(json, Metadata.TokenEndpointAuthMethodsSupported, clientAuthentication);
            WriteArray(json, Metadata.RevocationEndpointAuthMethodsSupported, clientAuthentication);
            WriteArray(json, Metadata.IntrospectionEndpointAuthMethodsSupported,
                [ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost]);
            WriteArray(json, Metadata.ResponseTypesSupported, apps ? [Values.CodeResponseType] : []);
            WriteArray(json, Metadata.ScopesSupported, apps ? scopes.Append(OAuthServerOptions.OfflineAccessScope) : scopes);
        }).ConfigureAwait(false);
    }

    public static async Task JwksAsync(HttpContext context)
    {
        if (!await OAuthServerEndpoints.IsOnAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var keys = await context.RequestServices.GetRequiredService<SigningKeyRing>().GetAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = CacheFiveMinutes;
        await context.Response.Body.WriteAsync(keys.Jwks, context.RequestAborted).ConfigureAwait(false);
    }

    private static string Url(string issuer, string path) => issuer.TrimEnd('/') + path;

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
