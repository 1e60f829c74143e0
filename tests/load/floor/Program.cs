using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAuthentication("Floor").AddScheme<AuthenticationSchemeOptions, FloorHandler>("Floor", null);
builder.Services.AddAuthorization();
var app = builder.Build();
app.MapGet("/ping", Ping).AllowAnonymous();
app.MapGet("/api/ping", Ping).RequireAuthorization();
app.Run();

static IResult Ping() => Results.Ok(new { message = "pong" });

/// <summary>Authenticates any request that has an Authorization header as the same one-claim user.</summary>
internal sealed class FloorHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers.Authorization.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim("sub", "floor")], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}
