using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A host that registers a distributed cache (Redis, shared by instances) must not make it an authority: whoever
/// can write to it could otherwise make any key id authenticate. Checks stay in the process that made them.
/// </summary>
[TestFixture]
public sealed class DistributedCacheTests
{
    private VezaTestHost _host = null!;
    private RecordingDistributedCache _l2 = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _l2 = new RecordingDistributedCache();
        _host = await VezaTestHost.StartAsync(services => services.AddSingleton<IDistributedCache>(_l2));
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task A_forged_entry_in_the_distributed_cache_does_not_authenticate()
    {
        var (id, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var forged = ApiKeyFormat.Generate(ApiKeyFormat.DefaultPrefix, id);
        Assert.That(ApiKeyFormat.TryParse(forged, ApiKeyFormat.DefaultPrefix, out _, out var forgedSecret), Is.True);

        // Whoever can write to the shared cache writes what a successful check of the forged secret would look like,
        // in HybridCache's own format and under the key a check of that secret would read, claiming a root administrator.
        var writer = new ServiceCollection().AddSingleton<IDistributedCache>(_l2).AddHybridCache().Services
            .BuildServiceProvider().GetRequiredService<HybridCache>();
        var cacheKey = ApiKeyVerifier.CacheKey(id, forgedSecret);
        await writer.SetAsync(cacheKey, new ApiKeySnapshot(id, ApiKeyKind.Personal, "forged", RootTeam, RootAdmin));
        Assert.That(await _l2.GetAsync(cacheKey), Is.Not.Null, "the forged entry is in the shared cache");

        var response = await _host.GetAsync("/api/me", forged);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Checks_are_not_written_to_the_distributed_cache_and_revocation_counts_on_the_next_request()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);

        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await _host.RevokeAsync(id);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        await _host.ReinstateAsync(id);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That(_l2.Writes, Is.Empty, "nothing about a check reaches the shared cache");
    }

    /// <summary>An in-memory distributed cache that remembers every write.</summary>
    private sealed class RecordingDistributedCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));

        public ConcurrentDictionary<string, byte[]> Writes { get; } = new();

        public byte[]? Get(string key) => _inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _inner.GetAsync(key, token);

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
            Writes[key] = value;
            _inner.Set(key, value, options);
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Writes[key] = value;
            return _inner.SetAsync(key, value, options, token);
        }
    }
}
