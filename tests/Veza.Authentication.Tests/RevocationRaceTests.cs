using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A change to a key counts on the very next request that starts after the change returns, whatever check was in
/// flight when it was made, and even when the store's answer to the change was lost.
/// </summary>
[TestFixture]
public sealed class RevocationRaceTests
{
    private VezaTestHost _host = null!;
    private CountingHasher _hasher = null!;
    private SwitchableApiKeyStore _store = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync(services =>
        {
            CountingHasher.Register(services);
            services.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(new SwitchableApiKeyStore(new InMemoryApiKeyStore(new InMemoryChangeFeed()))));
        });
        _hasher = (CountingHasher)_host.Services.GetRequiredService<ISecretHasher>();
        _store = (SwitchableApiKeyStore)_host.Services.GetRequiredService<IApiKeyStore>();
    }

    [TearDown]
    public async Task StopAsync()
    {
        _hasher.Release();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task A_revoke_during_a_keys_first_check_counts_on_the_next_request()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var inFlight = await StartHeldCheckAsync(key);

        await _host.RevokeAsync(id);
        _hasher.Release();
        await inFlight;

        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_delete_during_a_keys_first_check_counts_on_the_next_request()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var inFlight = await StartHeldCheckAsync(key);

        await _host.Keys.DeleteAsync(id, VezaCaller.Host, CancellationToken.None);
        _hasher.Release();
        await inFlight;

        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_rename_during_a_team_keys_first_check_shows_on_the_next_request()
    {
        var (id, key) = await _host.CreateTeamKeyAsync(TeamA, "before");
        var inFlight = await StartHeldCheckAsync(key);

        await _host.Keys.RenameAsync(id, "after", VezaCaller.Host, CancellationToken.None);
        _hasher.Release();
        await inFlight;

        var me = await JsonAsync(await _host.GetAsync("/api/me", key));
        Assert.That(me.GetProperty("name").GetString(), Is.EqualTo("after"));
    }

    [Test]
    public async Task A_request_that_starts_after_a_revoke_never_joins_a_check_started_before_it()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var first = await StartHeldCheckAsync(key);

        await _host.RevokeAsync(id);
        var second = _host.GetAsync("/api/me", key);
        _hasher.Release();
        await first;

        Assert.That((await second).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_revoke_whose_store_answer_is_lost_after_it_committed_still_counts()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _store.FailAfterWrites = true;

        Assert.ThrowsAsync<TimeoutException>(() => _host.RevokeAsync(id));
        _store.FailAfterWrites = false;

        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_delete_whose_store_answer_is_lost_after_it_committed_still_counts()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _store.FailAfterWrites = true;

        Assert.ThrowsAsync<TimeoutException>(() => _host.Keys.DeleteAsync(id, VezaCaller.Host, CancellationToken.None));
        _store.FailAfterWrites = false;

        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Revokes_racing_with_many_concurrent_requests_are_never_lost()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        _hasher.Delay = TimeSpan.FromMilliseconds(5);
        for (var round = 0; round < 20; round++)
        {
            await _host.ReinstateAsync(id);
            var load = Enumerable.Range(0, 8).Select(_ => _host.GetAsync("/api/me", key)).ToArray();
            await _host.RevokeAsync(id);
            await Task.WhenAll(load);

            // 401, or 429 once this address has piled up refusals: never 200.
            Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests), $"round {round}");
        }
    }

    // Starts the key's first check and returns once Argon2id is running (and held).
    private async Task<Task<HttpResponseMessage>> StartHeldCheckAsync(string key)
    {
        _hasher.Hold();
        var request = _host.GetAsync("/api/me", key);
        await _hasher.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return request;
    }
}
