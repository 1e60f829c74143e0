using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// Every authenticated call leaves an audit event; refused calls leave counters and a periodic summary, never one
/// log line each at Information or above.
/// </summary>
[TestFixture]
public sealed class AuditAndLoggingTests
{
    private VezaTestHost _host = null!;
    private RecordingAuditSink _audit = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _host = await VezaTestHost.StartAsync(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IVezaAuditSink, RecordingAuditSink>());
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time));
        });
        _audit = (RecordingAuditSink)_host.Services.GetRequiredService<IVezaAuditSink>();
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Every_authenticated_call_raises_an_audit_event_with_what_was_done_and_by_whom()
    {
        var (id, key) = await _host.CreateTeamKeyAsync(TeamA, "push");
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/graph");
        request.Headers.Authorization = new("Bearer", key);
        request.Headers.UserAgent.ParseAdd("audit-test/1.0");
        request.Headers.Add(ClientIpHeader, "203.0.113.9");

        var response = await _host.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var call = await _audit.WaitForAsync(e => e.Action == VezaAuditEvent.ApiCallAction);
        Assert.Multiple(() =>
        {
            Assert.That(call.Method, Is.EqualTo("GET"));
            Assert.That(call.Path, Is.EqualTo("/api/graph"));
            Assert.That(call.StatusCode, Is.EqualTo(403));
            Assert.That(call.Actor, Is.EqualTo("team:" + TeamA));
            Assert.That(call.ActorCredentialId, Is.EqualTo(id));
            Assert.That(call.ActorCredentialKind, Is.EqualTo("team_api_key"));
            Assert.That(call.ClientIp, Is.EqualTo("203.0.113.9"));
            Assert.That(call.UserAgent, Is.EqualTo("audit-test/1.0"));
            Assert.That(call.RequestId, Is.Not.Empty);
            Assert.That(call.TeamId, Is.EqualTo(TeamA));
        });
        Assert.That(string.Join('\n', _audit.Events.Select(e => e.ToString())), Does.Not.Contain(key[^20..]));
    }

    [Test]
    public async Task Anonymous_and_refused_calls_raise_no_call_event()
    {
        var before = _host.Completions.Completed;
        await _host.GetAsync("/anonymous", null);
        await _host.GetAsync("/api/me", ApiKeyFormat.Generate("veza", ApiKeyFormat.NewKeyId()));
        // Call events are raised when a response completes: wait until both have, so a regression cannot pass by losing the race.
        await _host.Completions.WaitForAsync(before + 2);

        Assert.That(_audit.Events.Where(e => e.Action == VezaAuditEvent.ApiCallAction), Is.Empty);
    }

    [Test]
    public async Task A_flood_of_refused_requests_makes_the_library_write_no_log_line_at_information_or_above()
    {
        var (id, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var before = _host.Logs.Lines.Count;

        for (var i = 0; i < 60; i++)
        {
            await _host.GetAsync("/api/me", ApiKeyFormat.Generate("veza", id), $"198.51.100.{i % 3}");
            await _host.GetAsync("/api/me", ApiKeyFormat.Generate("veza", ApiKeyFormat.NewKeyId()));
            await _host.GetAsync("/api/me", "veza_garbage");
        }

        // The framework's own request and authorization logs are the host's to filter ("Microsoft.AspNetCore": "Warning").
        var loud = _host.Logs.Lines.Skip(before)
            .Where(l => l.Contains(" Veza.", StringComparison.Ordinal))
            .Where(l => !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal)).ToList();
        Assert.That(loud, Is.Empty);
    }

    [Test]
    public async Task Refusals_are_summarised_at_warning_once_per_minute()
    {
        for (var i = 0; i < 5; i++)
        {
            await _host.GetAsync("/api/me", "veza_garbage");
        }

        _time.Advance(TimeSpan.FromSeconds(61));
        await _host.GetAsync("/api/me", "veza_garbage");
        await _host.GetAsync("/api/me", "veza_garbage");

        var summaries = _host.Logs.Lines.Where(l => l.Contains("[1008]", StringComparison.Ordinal)).ToList();
        Assert.That(summaries, Has.Count.EqualTo(1));
        Assert.That(summaries[0], Does.StartWith("Warning").And.Contains("6 rejected"));
    }

    [Test]
    public async Task A_host_calling_the_key_service_directly_leaves_a_trail_too()
    {
        var (id, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await _host.RevokeAsync(id);

        var events = _audit.Events.Where(e => e.TargetId == id).Select(e => (e.Action, e.Outcome, e.Actor, e.TeamId)).ToList();

        Assert.That(events, Does.Contain(("api_key.create", "success", "system", TeamA)));
        Assert.That(events, Does.Contain(("api_key.revoke", "success", "system", TeamA)));
    }
}
