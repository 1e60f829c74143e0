using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>Callers for the services, made the way a host makes them: from a cookie-style principal, from a Veza
/// bearer credential authenticated by the real scheme, or for a user in a chosen team.</summary>
internal static class TestCallers
{
    /// <summary>What a host's cookie handler gives for a signed-in user: the user id as the name identifier, no Veza
    /// claims; with <paramref name="teamId"/>, the team the host lets the user work in.</summary>
    public static ClaimsPrincipal CookiePrincipal(string userId, string? teamId = null)
    {
        List<Claim> claims = [new(ClaimTypes.NameIdentifier, userId), new(ClaimTypes.Name, userId)];
        if (teamId is not null)
        {
            claims.Add(new Claim(VezaClaimTypes.TeamId, teamId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Cookies"));
    }

    public static VezaCallerFactory CallerFactory(this VezaTestHost host) => host.Services.GetRequiredService<VezaCallerFactory>();

    /// <summary>The caller for a user signed in with the host's cookie, through the directory; fails the test when
    /// there is none.</summary>
    public static async Task<VezaCaller> SignedInAsync(this VezaTestHost host, string userId)
    {
        var caller = await host.CallerFactory().FromPrincipalAsync(CookiePrincipal(userId), CancellationToken.None);
        Assert.That(caller, Is.Not.Null, $"a caller for {userId} signed in with a cookie");
        return caller!;
    }

    /// <summary>The caller for one of the directory's users acting in a team the host chose; fails the test when
    /// there is none.</summary>
    public static async Task<VezaCaller> CallerAsync(this VezaTestHost host, string userId, string teamId)
    {
        var caller = await host.CallerFactory().ForUserAsync(userId, teamId, CancellationToken.None);
        Assert.That(caller, Is.Not.Null, $"{userId} in {teamId}");
        return caller!;
    }

    /// <summary>The caller behind a bearer credential (a key or an access token), authenticated by the Veza scheme as
    /// a request would be.</summary>
    public static async Task<VezaCaller> BearerAsync(this VezaTestHost host, string credential)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = "Bearer " + credential;
        var result = await context.AuthenticateAsync(VezaAuthenticationDefaults.AuthenticationScheme);
        Assert.That(result.Succeeded, Is.True, result.Failure?.Message ?? "no result");
        var caller = await host.CallerFactory().FromPrincipalAsync(result.Principal!, CancellationToken.None);
        Assert.That(caller, Is.Not.Null, "a caller for the credential's principal");
        return caller!;
    }

    /// <summary>An app registered by the host, and its access token acting for <paramref name="userId"/> with every scope
    /// of the user's roles that the app allows (the OAuth2 server must be on).</summary>
    public static async Task<(string AppId, string Token)> AppActingForAsync(this VezaTestHost host, string userId)
    {
        var app = await AppFlow.CreateAppAsync(host, scopes: ["graph:read", "users:read", "integrations:push"]);
        var (token, _, _) = await new AppFlow(host, userId).SignInAsync(app, p => p["scope"] = "graph:read users:read integrations:push");
        return (app.Id, token);
    }
}
