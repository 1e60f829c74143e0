using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Veza.Authentication.JwtBearer;

/// <summary>
/// JwtBearer's handler, with two answers of the Veza server's own: a token nobody here can vouch for now (the change
/// feed is behind, or the server cannot be reached for its metadata or a client's state) is <c>503</c> with
/// <c>Retry-After</c>, never a 500 and never a 401 that would make the caller throw a good token away; and every refused
/// token gets one <c>401 Bearer error="invalid_token"</c> with one description, whatever the reason, so a caller
/// learns nothing from the difference. JwtBearer's events still run (<c>OnChallenge</c> for the 401).
/// </summary>
internal sealed class VezaJwtBearerHandler(IOptionsMonitor<JwtBearerOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : JwtBearerHandler(options, new FrameworkCategory(logger), encoder)
{
    private const string Description = "The access token is invalid.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        try
        {
            return await base.HandleAuthenticateAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (!Context.RequestAborted.IsCancellationRequested)
        {
            // JwtBearer rethrows what it cannot decide, such as metadata that cannot be read: fail closed, as 503.
            Log.ServerUnreachable(Logger, ex);
            return AuthenticateResult.Fail(new VezaTokenUnverifiableException("the authorization server could not be reached", ex));
        }
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        if (IsUnverifiable(result.Failure))
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "5";
            Response.Headers.CacheControl = "no-store";
            return;
        }

        var challenge = new JwtBearerChallengeContext(Context, Scheme, Options, properties) { AuthenticateFailure = result.Failure };
        if (result.Failure is not null)
        {
            challenge.Error = "invalid_token";
            challenge.ErrorDescription = Description;
        }

        await Events.Challenge(challenge).ConfigureAwait(false);
        if (challenge.Handled || Response.HasStarted)
        {
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = challenge.Error is null
            ? Options.Challenge
            : $"{Options.Challenge} error=\"{Quoted(challenge.Error)}\", error_description=\"{Quoted(challenge.ErrorDescription ?? Description)}\"";
    }

    private static bool IsUnverifiable(Exception? failure) => failure switch
    {
        VezaTokenUnverifiableException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(e => e is VezaTokenUnverifiableException),
        _ => false,
    };

    // RFC 6750 §3: printable ASCII without '"' and '\', whatever a host's event wrote.
    private static string Quoted(string value)
        => string.Create(value.Length, value, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                span[i] = c is >= ' ' and <= '~' && c != '"' && c != '\\' ? c : '\'';
            }
        });
}

/// <summary>
/// Logs the handler under JwtBearer's own category, so the filter a host already has for the framework
/// (<c>Microsoft.AspNetCore</c> at Warning, as the templates set it) keeps a flood of refused tokens out of its logs.
/// </summary>
internal sealed class FrameworkCategory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => inner.CreateLogger(typeof(JwtBearerHandler).FullName!);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The host owns the factory.
    }
}
