using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A flood of refused OAuth2 requests is a flood of counters, not of log lines or audit events: the same rule as for
/// keys on every endpoint (Debug per request, one Warning summary a minute), and refusals reach the audit sink
/// aggregated per kind and address.
/// </summary>
[TestFixture]
public sealed class OAuthRefusalLoggingTests
{
    private static readonly KeyValuePair<string, string> Grant = new("grant_type", "client_credentials");

    private static async Task<List<Func<VezaTestHost, Task<HttpResponseMessage>>>> RefusalsAsync(VezaTestHost host)
    {
        var client = await host.CreateClientAsync(TeamA);
        var app = await AppFlow.CreateAppAsync(host);
        var anonymous = new AppFlow(host, null);
        var user = new AppFlow(host, OperatorA);
        return
        [
            h => anonymous.GetAsync("/oauth2/authorize?client_id=nosuchapp"),
            h => anonymous.GetAsync(anonymous.AuthorizeUrl(app.Id, p => p["redirect_uri"] = "https://evil.example.net/cb")),
            h => user.GetAsync(user.AuthorizeUrl(app.Id, p => p["response_type"] = "token")),
            h => h.PostFormAsync("/oauth2/token", [Grant], (client.Id, "a-wrong-secret-that-is-long-enough-0001")),
            h => h.PostFormAsync("/oauth2/token", [Grant], ("nosuchclient", "a-wrong-secret-that-is-long-enough-0001")),
            h => h.PostFormAsync("/oauth2/token", [new("grant_type", "password")], client),
            h => h.PostFormAsync("/oauth2/token", [new("grant_type", "authorization_code"), new("code", "x"), new("redirect_uri", "https://x"),
                new("code_verifier", new string('v', 43))], (app.Id, app.Secret!)),
            h => h.PostFormAsync("/oauth2/token", [Grant]),
            h => h.PostFormAsync("/oauth2/revoke", [new("token", "x")], (client.Id, "a-wrong-secret-that-is-long-enough-0001")),
            h => h.PostFormAsync("/oauth2/revoke", [], client),
            h => h.PostFormAsync("/oauth2/introspect", [new("token", "x")], ("nosuchclient", "a-wrong-secret-that-is-long-enough-0001")),
            h => h.Client.GetAsync("/oauth2/introspect"),
        ];
    }

    [Test]
    public async Task A_flood_of_refused_requests_on_every_oauth2_endpoint_writes_no_line_at_information_or_above()
    {
        await using var host = await StartAsync();
        await host.SwitchOAuth2Async(true);
        var refusals = await RefusalsAsync(host);
        var before = host.Logs.Lines.Count;

        var statuses = new List<HttpStatusCode>();
        for (var round = 0; round < 15; round++)
        {
            foreach (var refuse in refusals)
            {
                statuses.Add((await refuse(host)).StatusCode);
            }
        }

        // The framework's own request logs are the host's to filter ("Microsoft.AspNetCore": "Warning").
        var loud = host.Logs.Lines.Skip(before)
            .Where(l => l.Contains(" Veza.", StringComparison.Ordinal))
            .Where(l => !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal)).ToList();
        Assert.That(statuses, Does.Contain((HttpStatusCode)429), "the throttle answered some of them");
        Assert.That(statuses, Does.Not.Contain(HttpStatusCode.OK).And.Not.Contain(HttpStatusCode.InternalServerError));
        Assert.That(loud, Is.Empty);
    }

    [Test]
    public async Task Refusals_reach_the_audit_sink_once_per_kind_and_address_then_as_one_counted_event_a_minute()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(services: s =>
        {
            s.Replace(ServiceDescriptor.Singleton<IVezaAuditSink, RecordingAuditSink>());
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        }, options: o => o.SecretChecks.FailureLimitPerSource = 1000);
        await host.SwitchOAuth2Async(true);
        var audit = (RecordingAuditSink)host.Services.GetRequiredService<IVezaAuditSink>();
        var client = await host.CreateClientAsync(TeamA);

        for (var i = 0; i < 50; i++)
        {
            await host.PostFormAsync("/oauth2/token", [new("grant_type", "password")], client, clientIp: "198.51.100.7");
        }

        await host.PostFormAsync("/oauth2/token", [new("grant_type", "password")], client, clientIp: "203.0.113.8");
        var immediate = audit.Events.Where(e => e.Action == "oauth2.token.refuse").ToList();

        time.Advance(TimeSpan.FromMinutes(1));
        var summary = await audit.WaitForAsync(e => e.Action == "oauth2.token.refuse" && e.Count > 1);

        Assert.Multiple(() =>
        {
            Assert.That(immediate.Select(e => (e.Outcome, e.ClientIp, e.Count)),
                Is.EquivalentTo(new[] { ("unsupported_grant_type", "198.51.100.7", 1), ("unsupported_grant_type", "203.0.113.8", 1) }));
            Assert.That((summary.ClientIp, summary.Count, summary.TargetId, summary.Actor), Is.EqualTo(("198.51.100.7", 49, client.Id, "anonymous")));
            Assert.That(audit.Events.Count(e => e.Action == "oauth2.token.refuse"), Is.EqualTo(3), "51 refusals, 3 events");
        });
    }

    [Test]
    public async Task Refused_oauth2_requests_are_counted_in_the_minutes_warning_summary()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA);

        for (var i = 0; i < 4; i++)
        {
            await host.PostFormAsync("/oauth2/token", [new("grant_type", "password")], client);
        }

        time.Advance(TimeSpan.FromSeconds(61));
        await host.PostFormAsync("/oauth2/token", [new("grant_type", "password")], client);

        var summaries = host.Logs.Lines.Where(l => l.Contains("[1008]", StringComparison.Ordinal)).ToList();
        Assert.That(summaries, Has.Count.EqualTo(1));
        Assert.That(summaries[0], Does.StartWith("Warning").And.Contains("5 other OAuth2 requests refused"));
    }

    [Test]
    public async Task A_replayed_code_is_logged_as_a_warning_once_however_often_it_is_replayed()
    {
        await using var host = await StartAsync();
        await host.SwitchOAuth2Async(true);
        var app = await AppFlow.CreateAppAsync(host);
        var flow = new AppFlow(host, OperatorA);
        var code = await flow.AuthorizeAsync(app.Id);
        await flow.RedeemAsync(app, code);

        for (var i = 0; i < 20; i++)
        {
            Assert.That((await flow.RedeemAsync(app, code)).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        Assert.That(host.Logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("[4003]", StringComparison.Ordinal)), Is.EqualTo(1));
    }
}
