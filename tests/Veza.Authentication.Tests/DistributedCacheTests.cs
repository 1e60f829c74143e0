using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A host that registers a distributed cache (HybridCache's second level, shared by instances): checks are still
/// cached and evicted as on one instance, and nothing secret reaches the shared cache.
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
    public async Task A_check_is_written_to_the_distributed_cache_and_revocation_still_counts_on_the_next_request()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);

        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await _l2.WaitForWriteAsync(id);
        Assert.That(_l2.Writes.Keys, Has.Some.Contains(id), "the check reached the distributed cache");

        await _host.Keys.SetStatusAsync(id, ApiKeyStatus.Inactive, CancellationToken.None);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        await _host.Keys.SetStatusAsync(id, ApiKeyStatus.Active, CancellationToken.None);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Neither_the_secret_nor_its_stored_hash_reaches_the_distributed_cache()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await _l2.WaitForWriteAsync(id);
        Assert.That(ApiKeyFormat.TryParse(key, ApiKeyFormat.DefaultPrefix, out _, out var secret), Is.True);
        var stored = await _host.Services.GetRequiredService<IApiKeyStore>().FindByIdAsync(id, CancellationToken.None);

        var everything = string.Join('\n', _l2.Writes.Select(w => w.Key + "=" + Encoding.UTF8.GetString(w.Value)));

        Assert.That(_l2.Writes, Is.Not.Empty);
        Assert.That(everything, Does.Not.Contain(secret));
        Assert.That(everything, Does.Not.Contain(stored!.SecretHash));
        Assert.That(everything, Does.Not.Contain("$argon2id$"));
    }

    /// <summary>An in-memory distributed cache that remembers every write.</summary>
    private sealed class RecordingDistributedCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));

        public ConcurrentDictionary<string, byte[]> Writes { get; } = new();

        /// <summary>HybridCache writes its second level in the background: waits (at most 5 s) for a write whose
        /// key mentions <paramref name="keyId"/>.</summary>
        public async Task WaitForWriteAsync(string keyId)
        {
            for (var i = 0; i < 100 && !Writes.Keys.Any(k => k.Contains(keyId, StringComparison.Ordinal)); i++)
            {
                await Task.Delay(50);
            }
        }

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
