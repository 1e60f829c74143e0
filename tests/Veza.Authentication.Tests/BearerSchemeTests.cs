using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>The bearer schemes as a host sees them: events that change answers, the default scheme and the names.</summary>
[TestFixture]
public sealed class BearerSchemeTests
{
    [Test]
    public async Task A_host_can_write_its_own_challenge()
    {
        await using var host = await StartAsync(options: o => o.Events.OnChallenge = async context =>
        {
            context.HandleResponse();
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("custom: " + (context.AuthenticateFailure is null ? "none" : context.Error));
        });

        var missing = await host.GetAsync("/api/me", null);
        var wrong = await host.GetAsync("/api/me", "veza_AAAAAAAAAAAAAAAA_" + new string('A', 43) + "AAAAAA");

        Assert.Multiple(async () =>
        {
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await missing.Content.ReadAsStringAsync(), Is.EqualTo("custom: none"));
            Assert.That(missing.Headers.WwwAuthenticate, Is.Empty);
            Assert.That(await wrong.Content.ReadAsStringAsync(), Is.EqualTo("custom: invalid_token"));
        });
    }

    [Test]
    public async Task A_host_can_change_the_description_of_the_default_challenge()
    {
        await using var host = await StartAsync(options: o => o.Events.OnChallenge = context =>
        {
            context.ErrorDescription = "Ask the platform team for a key.";
            return Task.CompletedTask;
        });
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);

        var response = await host.GetAsync("/api/me", key[..^1] + (key[^1] == 'A' ? 'B' : 'A'));
        var body = await JsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(),
                Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"Ask the platform team for a key.\""));
            Assert.That(body.GetProperty("message").GetString(), Is.EqualTo("Ask the platform team for a key."));
        });
    }

    [Test]
    public async Task A_description_from_the_host_cannot_break_out_of_the_quoted_string()
    {
        await using var host = await StartAsync(options: o => o.Events.OnChallenge = context =>
        {
            context.ErrorDescription = "say \"hi\", error=\"x\\";
            return Task.CompletedTask;
        });

        var response = await host.GetAsync("/api/me", "veza_AAAAAAAAAAAAAAAA_" + new string('A', 43) + "AAAAAA");

        Assert.That(response.Headers.WwwAuthenticate.ToString(),
            Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"say 'hi', error='x'\""));
    }

    [Test]
    public async Task The_failure_event_sees_why_a_key_was_refused_but_never_the_key()
    {
        var seen = new List<string>();
        await using var host = await StartAsync(options: o => o.Events.OnAuthenticationFailed = context =>
        {
            lock (seen)
            {
                seen.Add(context.Exception.ToString());
            }

            return Task.CompletedTask;
        });
        var (id, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await host.RevokeAsync(id);

        var response = await host.GetAsync("/api/me", key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Does.Contain("revoked"));
        Assert.That(seen[0], Does.Not.Contain(key[(key.LastIndexOf('_') + 1)..]));
    }

    [Test]
    public async Task The_failure_event_can_replace_the_result()
    {
        // A host that would rather let a refused key through as anonymous: the endpoint's policy then decides.
        await using var host = await StartAsync(options: o => o.Events.OnAuthenticationFailed = context =>
        {
            context.NoResult();
            return Task.CompletedTask;
        });
        var (id, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await host.RevokeAsync(id);

        var anonymous = await host.GetAsync("/anonymous", key);
        var protectedCall = await host.GetAsync("/api/me", key);

        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ErrorAssertions.AssertErrorAsync(protectedCall, HttpStatusCode.Unauthorized, 16, "CREDENTIALS_MISSING");
    }

    [Test]
    public async Task A_host_can_write_its_own_forbidden_answer()
    {
        await using var host = await StartAsync(options: o => o.Events.OnForbidden = async context =>
        {
            context.HandleResponse();
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("not for you");
        });
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);

        var response = await host.SendAsync(HttpMethod.Post, "/api/push", key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("not for you"));
    }

    [Test]
    public async Task Veza_is_the_default_scheme_unless_the_host_keeps_its_own()
    {
        await using var host = await StartAsync(
            services: s => s.AddAuthentication("Host").AddScheme<AuthenticationSchemeOptions, NobodyHandler>("Host", null),
            options: o => o.SetDefaultScheme = false,
            endpoints: app => app.MapGet("/api/veza-only", (HttpContext c) => c.User.Identity!.AuthenticationType)
                .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = VezaAuthenticationDefaults.AuthenticationScheme }));
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);

        var defaultScheme = await host.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetDefaultAuthenticateSchemeAsync();
        var byDefault = await host.GetAsync("/api/me", key);
        var byName = await host.GetAsync("/api/veza-only", key);

        Assert.Multiple(async () =>
        {
            Assert.That(defaultScheme!.Name, Is.EqualTo("Host"));
            Assert.That(byDefault.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the host's own default scheme answers");
            Assert.That(byName.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await byName.Content.ReadAsStringAsync(), Is.EqualTo(VezaAuthenticationDefaults.AuthenticationScheme));
        });
    }

    [Test]
    public async Task Veza_takes_the_default_scheme_when_asked_to()
    {
        await using var host = await StartAsync();

        var defaultScheme = await host.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetDefaultAuthenticateSchemeAsync();

        Assert.That(defaultScheme!.Name, Is.EqualTo(VezaAuthenticationDefaults.AuthenticationScheme));
    }

    [Test]
    public async Task The_api_key_scheme_is_addressable_by_name()
    {
        await using var host = await StartAsync(endpoints: app => app.MapGet("/api/keys-only", (HttpContext c) => c.User.Identity!.AuthenticationType)
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = VezaAuthenticationDefaults.ApiKeyScheme }));
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);

        var withKey = await host.GetAsync("/api/keys-only", key);
        var without = await host.GetAsync("/api/keys-only", null);

        Assert.That(await withKey.Content.ReadAsStringAsync(), Is.EqualTo(VezaAuthenticationDefaults.ApiKeyScheme));
        await ErrorAssertions.AssertErrorAsync(without, HttpStatusCode.Unauthorized, 16, "CREDENTIALS_MISSING");
    }

    /// <summary>A host's own scheme that never authenticates anyone.</summary>
    private sealed class NobodyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}
