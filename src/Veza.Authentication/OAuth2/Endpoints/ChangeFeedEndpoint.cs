using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Credentials;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// The change feed over HTTP, for resource servers in other processes that accept our access tokens without stores of
/// their own: <c>GET {ChangeFeedPath}?after=N</c> (the entries after a sequence, or a snapshot to start from; see
/// <see cref="ChangeFeedPage"/>), and the states their tokens depend on, <c>GET {ChangeFeedPath}/clients/{id}</c> and
/// <c>GET {ChangeFeedPath}/grants/{id}</c>. Only an OAuth2 client of the root team whose access token carries
/// <see cref="OAuthServerOptions.ChangeFeedScope"/> may read them; anyone else gets an RFC 6750 error. Nothing about API
/// keys, and no name, role, scope, hash or secret, is ever written. Like the other OAuth2 endpoints, they answer 404
/// while the server is switched off.
/// </summary>
internal static partial class ChangeFeedEndpoint
{
    public static void Map(IEndpointRouteBuilder endpoints, OAuthServerOptions options)
    {
        endpoints.MapGet(options.ChangeFeedPath, ReadAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(options.ChangeFeedPath + "/clients/{id}", ClientAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(options.ChangeFeedPath + "/grants/{id}", GrantAsync).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task ReadAsync(HttpContext context)
    {
        if (!await AuthorizeAsync(context).ConfigureAwait(false))
        {
            return;
        }

        long? after = null;
        var query = context.Request.Query;
        if (query.TryGetValue("after", out var values))
        {
            if (values.Count != 1 || !long.TryParse(values[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                await WriteErrorAsync(context, 400, OAuthConstants.Errors.InvalidRequest, "after must be one sequence number (0 or more).").ConfigureAwait(false);
                return;
            }

            after = parsed;
        }

        await AnswerAsync(context, (services, ct) => ChangeFeedPage.ReadAsync(services, after, ct)).ConfigureAwait(false);
    }

    private static async Task ClientAsync(HttpContext context, string id)
    {
        if (await AuthorizeAsync(context).ConfigureAwait(false))
        {
            await AnswerAsync(context, (services, ct) => ChangeFeedPage.DescribeClientAsync(services, id, ct)).ConfigureAwait(false);
        }
    }

    private static async Task GrantAsync(HttpContext context, string id)
    {
        if (await AuthorizeAsync(context).ConfigureAwait(false))
        {
            await AnswerAsync(context, (services, ct) => ChangeFeedPage.DescribeGrantAsync(services, id, ct)).ConfigureAwait(false);
        }
    }

    // Reads what the answer needs within the store timeout, then writes it; a store that fails is 503, never a 500.
    private static async Task AnswerAsync(HttpContext context, Func<IServiceProvider, CancellationToken, ValueTask<Action<Utf8JsonWriter>>> read)
    {
        var services = context.RequestServices;
        Action<Utf8JsonWriter> write;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.Stores.Timeout);
            write = await read(services, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            FeedUnavailable(Logger(context), ex);
            context.Response.Headers.RetryAfter = "5";
            await WriteErrorAsync(context, 503, OAuthConstants.Errors.TemporarilyUnavailable, "The change feed is temporarily unavailable.").ConfigureAwait(false);
            return;
        }

        OAuthProtocol.NoStore(context.Response);
        await OAuthProtocol.WriteJsonAsync(context, write).ConfigureAwait(false);
    }

    /// <summary>
    /// The server is on, and the caller's bearer token is an access token of a root-team client holding the feed's
    /// scope, checked by the same authenticator as every API request (so a revoked token or client is refused here too).
    /// Otherwise the RFC 6750 answer has been written.
    /// </summary>
    private static async Task<bool> AuthorizeAsync(HttpContext context)
    {
        if (!await OAuthServerEndpoints.IsOnAsync(context).ConfigureAwait(false))
        {
            return false;
        }

        var services = context.RequestServices;
        var scope = services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.OAuth2.ChangeFeedScope;
        var result = await context.AuthenticateAsync(VezaAuthenticationDefaults.AccessTokenScheme).ConfigureAwait(false);
        if (result.Failure is CredentialStoreUnavailableException)
        {
            context.Response.Headers.RetryAfter = "5";
            await WriteErrorAsync(context, 503, OAuthConstants.Errors.TemporarilyUnavailable, "Authentication is temporarily unavailable.").ConfigureAwait(false);
            return false;
        }

        if (!result.Succeeded)
        {
            var sentToken = context.Request.Headers.Authorization.Count > 0;
            Refused(Logger(context), sentToken ? "the bearer token is not a valid access token" : "no bearer token");
            context.Response.Headers.WWWAuthenticate = sentToken
                ? "Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\""
                : "Bearer";
            await WriteErrorAsync(context, 401, sentToken ? OAuthConstants.Errors.InvalidToken : OAuthConstants.Errors.InvalidRequest,
                sentToken ? "The access token is invalid." : "An access token is required.").ConfigureAwait(false);
            return false;
        }

        var user = result.Principal!;
        string? refusal;
        try
        {
            refusal = user.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value != VezaAuthenticationMethods.OAuth2Client
                ? "the caller is not an OAuth2 client"
                : !user.HasClaim(VezaClaimTypes.Scope, scope)
                    ? "the token does not carry the change feed's scope"
                    : !await IsRootTeamAsync(services, user.FindFirst(VezaClaimTypes.TeamId)?.Value, context.RequestAborted).ConfigureAwait(false)
                        ? "the client is not of the root team"
                        : null;
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            FeedUnavailable(Logger(context), ex);
            context.Response.Headers.RetryAfter = "5";
            await WriteErrorAsync(context, 503, OAuthConstants.Errors.TemporarilyUnavailable, "Authentication is temporarily unavailable.").ConfigureAwait(false);
            return false;
        }

        if (refusal is null)
        {
            return true;
        }

        Refused(Logger(context), refusal);
        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", error_description=\"The change feed needs a root-team client's token with this scope.\", scope=\"{scope}\"";
        await WriteErrorAsync(context, 403, "insufficient_scope", "The change feed needs an access token of a root-team client with the scope " + scope + ".")
            .ConfigureAwait(false);
        return false;
    }

    private static async Task<bool> IsRootTeamAsync(IServiceProvider services, string? teamId, CancellationToken cancellationToken)
    {
        if (teamId is null)
        {
            return false;
        }

        var timeout = services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.Stores.Timeout;
        var team = await services.GetRequiredService<IVezaUserDirectory>().FindTeamAsync(teamId, cancellationToken).AsTask()
            .WaitAsync(timeout, services.GetRequiredService<TimeProvider>(), cancellationToken).ConfigureAwait(false);
        return team is { IsRoot: true };
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string error, string description)
    {
        context.Response.StatusCode = status;
        OAuthProtocol.NoStore(context.Response);
        return OAuthProtocol.WriteJsonAsync(context, json =>
        {
            json.WriteString(OAuthConstants.Parameters.Error, error);
            json.WriteString(OAuthConstants.Parameters.ErrorDescription, description);
        });
    }

    private static ILogger Logger(HttpContext context)
        => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Veza.Authentication.OAuth2.ChangeFeed");

    [LoggerMessage(4101, LogLevel.Debug, "Change feed request refused: {Reason}.")]
    private static partial void Refused(ILogger logger, string reason);

    [LoggerMessage(4102, LogLevel.Warning, "The change feed could not be answered: a store failed or timed out; the caller was answered 503.")]
    private static partial void FeedUnavailable(ILogger logger, Exception exception);
}
