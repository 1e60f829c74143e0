using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class OptionsValidationTests
{
    private static async Task<OptionsValidationException?> StartAsync(Action<VezaAuthenticationOptions> configure, bool withStores = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var veza = builder.Services.AddVezaAuthentication(configure);
        if (withStores)
        {
            veza.AddInMemoryStores();
        }

        await using var app = builder.Build();
        try
        {
            await app.StartAsync();
            await app.StopAsync();
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex;
        }
    }

    [Test]
    public async Task Valid_options_start()
        => Assert.That(await StartAsync(_ => { }), Is.Null);

    [Test]
    public async Task Bad_prefix_stops_the_host_at_start_with_a_clear_message()
    {
        var error = await StartAsync(o => o.ApiKeys.Prefix = "Not Valid");

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.Contain("ApiKeys.Prefix"));
    }

    [Test]
    public async Task Every_problem_is_reported_at_once()
    {
        var error = await StartAsync(o =>
        {
            o.Stores.CacheDuration = TimeSpan.Zero;
            o.Stores.MaxCachedCredentials = 10;
            o.SecretChecks.FailureLimitPerSource = 0;
            o.SecretChecks.MaxConcurrentChecks = 0;
            o.Argon2id.Parallelism = 0;
            o.AdminRole = " ";
        });

        Assert.That(error!.Failures, Has.Some.Contains("CacheDuration"));
        Assert.That(error.Failures, Has.Some.Contains("MaxCachedCredentials"));
        Assert.That(error.Failures, Has.Some.Contains("FailureLimitPerSource"));
        Assert.That(error.Failures, Has.Some.Contains("MaxConcurrentChecks"));
        Assert.That(error.Failures, Has.Some.Contains("Parallelism"));
        Assert.That(error.Failures, Has.Some.Contains("AdminRole"));
    }

    [Test]
    public async Task Missing_stores_are_reported_at_start()
    {
        var error = await StartAsync(_ => { }, withStores: false);

        Assert.That(error!.Failures, Has.Some.Contains("IApiKeyStore"));
        Assert.That(error.Failures, Has.Some.Contains("IVezaUserDirectory"));
    }

    [TestCase("http://veza.example.com", Description = "http only for loopback")]
    [TestCase("https://veza.example.com/?tenant=1", Description = "no query")]
    [TestCase("https://veza.example.com/#x", Description = "no fragment")]
    [TestCase("/relative", Description = "absolute only")]
    public async Task An_issuer_that_is_not_an_absolute_https_url_stops_the_host(string issuer)
    {
        var error = await StartAsync(o => o.OAuth2.Issuer = issuer);

        Assert.That(error?.Message, Does.Contain("OAuth2.Issuer"));
    }

    [Test]
    public async Task Only_rs256_and_es256_may_sign()
    {
        var hmac = await StartAsync(o => o.OAuth2.SigningAlgorithm = "HS256");
        var none = await StartAsync(o => o.OAuth2.SigningAlgorithm = "none");
        var es256 = await StartAsync(o => o.OAuth2.SigningAlgorithm = "ES256");

        Assert.That(hmac?.Message, Does.Contain("OAuth2.SigningAlgorithm"));
        Assert.That(none?.Message, Does.Contain("OAuth2.SigningAlgorithm"));
        Assert.That(es256, Is.Null);
    }

    [Test]
    public async Task Token_lifetimes_and_key_rotation_must_fit_together()
    {
        var lifetime = await StartAsync(o => o.OAuth2.DefaultAccessTokenLifetime = TimeSpan.FromHours(2));
        var rotation = await StartAsync(o => o.OAuth2.SigningKeyAnnouncement = o.OAuth2.SigningKeyLifetime);
        var prefix = await StartAsync(o => o.OAuth2.ClientSecretPrefix = o.ApiKeys.Prefix);

        Assert.That(lifetime?.Message, Does.Contain("DefaultAccessTokenLifetime"));
        Assert.That(rotation?.Message, Does.Contain("SigningKeyAnnouncement"));
        Assert.That(prefix?.Message, Does.Contain("ClientSecretPrefix"));
    }

    [TestCase("code")]
    [TestCase("refresh")]
    [TestCase("paths")]
    [TestCase("scheme")]
    public async Task Bad_app_options_stop_the_host_at_start(string what)
    {
        var error = await StartAsync(o =>
        {
            switch (what)
            {
                case "code":
                    o.OAuth2.AuthorizationCodeLifetime = TimeSpan.FromHours(1);
                    break;
                case "refresh":
                    o.OAuth2.RefreshTokenAbsoluteLifetime = TimeSpan.FromDays(1);
                    o.OAuth2.RefreshTokenSlidingLifetime = TimeSpan.FromDays(2);
                    break;
                case "paths":
                    o.OAuth2.AuthorizationPath = o.OAuth2.TokenPath;
                    break;
                default:
                    o.OAuth2.InteractiveScheme = string.Empty;
                    break;
            }
        });

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.Contain(what switch
        {
            "code" => "AuthorizationCodeLifetime",
            "refresh" => "RefreshTokenAbsoluteLifetime",
            "paths" => "paths",
            _ => "InteractiveScheme",
        }));
    }
}
