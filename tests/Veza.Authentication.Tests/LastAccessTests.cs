using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class LastAccessTests
{
    private VezaTestHost? _host;
    private FakeTimeProvider _time = null!;
    private SwitchableApiKeyStore _store = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        _host = await VezaTestHost.StartAsync(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time));
            services.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(new SwitchableApiKeyStore(new InMemoryApiKeyStore(new InMemoryChangeFeed()))));
        });
        _store = (SwitchableApiKeyStore)_host!.Services.GetRequiredService<IApiKeyStore>();
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host!.DisposeAsync();
        }
    }

    [Test]
    public async Task Last_access_equals_creation_time_until_the_first_use()
    {
        var (id, _) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        _time.Advance(TimeSpan.FromMinutes(5));

        var key = await _host!.Keys.FindAsync(id, VezaCaller.Host, CancellationToken.None);

        Assert.That(key!.LastAccessAt, Is.EqualTo(key.CreatedAt));
    }

    [Test]
    public async Task Many_requests_cost_no_store_write_until_the_batch_is_flushed_once()
    {
        var (id, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        _time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 25; i++)
        {
            Assert.That((await _host!.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(_store.LastAccessWrites, Is.Zero);
        var shown = await _host!.Keys.FindAsync(id, VezaCaller.Host, CancellationToken.None);
        Assert.That(shown!.LastAccessAt, Is.EqualTo(_time.GetUtcNow()), "pending use is shown before it is written");

        await _host!.Keys.FlushLastAccessAsync(CancellationToken.None);

        Assert.That(_store.LastAccessWrites, Is.EqualTo(1));
        var stored = await _store.FindByIdAsync(id, CancellationToken.None);
        Assert.That(stored!.LastAccessAt, Is.EqualTo(_time.GetUtcNow()));
    }

    [Test]
    public async Task Failed_requests_do_not_update_last_access()
    {
        var (id, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        await _host!.RevokeAsync(id);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.That((await _host!.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        await _host!.Keys.FlushLastAccessAsync(CancellationToken.None);

        var stored = await _store.FindByIdAsync(id, CancellationToken.None);
        Assert.That(stored!.LastAccessAt, Is.EqualTo(stored.CreatedAt));
    }

    [Test]
    public async Task A_failed_flush_keeps_the_times_for_the_next_one()
    {
        var (id, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        _time.Advance(TimeSpan.FromMinutes(1));
        await _host!.GetAsync("/api/me", key);
        _store.FailWrites = true;

        await _host!.Keys.FlushLastAccessAsync(CancellationToken.None);
        _store.FailWrites = false;
        await _host!.Keys.FlushLastAccessAsync(CancellationToken.None);

        var stored = await _store.FindByIdAsync(id, CancellationToken.None);
        Assert.That(stored!.LastAccessAt, Is.EqualTo(_time.GetUtcNow()));
    }

    [Test]
    public async Task The_background_flush_writes_after_the_interval()
    {
        var (id, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        _time.Advance(TimeSpan.FromMinutes(1));
        var usedAt = _time.GetUtcNow();
        await _host!.GetAsync("/api/me", key);

        _time.Advance(TimeSpan.FromSeconds(31));
        await Eventually.ValueAsync(() => Task.FromResult(_store.LastAccessWrites), writes => writes > 0);

        var stored = await _store.FindByIdAsync(id, CancellationToken.None);
        Assert.That(stored!.LastAccessAt, Is.EqualTo(usedAt));
    }

    [Test]
    public async Task A_flush_interrupted_by_a_graceful_stop_loses_nothing()
    {
        var (id, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        _time.Advance(TimeSpan.FromMinutes(1));
        var usedAt = _time.GetUtcNow();
        await _host.GetAsync("/api/me", key);
        _store.HangLastAccessWrites = true;

        _time.Advance(TimeSpan.FromSeconds(31));
        await Eventually.ValueAsync(() => Task.FromResult(_store.HangingLastAccessWrites), writes => writes > 0);

        Assert.That(_store.HangingLastAccessWrites, Is.EqualTo(1), "the background flush is stuck in the store");
        _store.HangLastAccessWrites = false;
        await _host.DisposeAsync();
        _host = null;

        var stored = await _store.FindByIdAsync(id, CancellationToken.None);
        Assert.That(stored!.LastAccessAt, Is.EqualTo(usedAt));
    }
}
