using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Microsoft.AspNetCore.Authentication;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Credentials;
using Veza.Authentication.Diagnostics;

namespace Veza.Authentication.Benchmarks;

/// <summary>
/// Cost and allocations of authenticating one request with an API key, through the real pipeline: a request scope,
/// a <see cref="DefaultHttpContext"/> with <c>Authorization: Bearer &lt;key&gt;</c>, and
/// <c>HttpContext.AuthenticateAsync("Veza")</c>, which is what <c>UseAuthentication</c> does per request
/// (IAuthenticationService, then the "Veza" handler routing to the API key authenticator).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The host (<see cref="BenchmarkHost"/>) is built but not started, and has no logging providers: the
/// numbers are the handler's, not a console's. Argon2id uses the library's defaults (m=19456 KiB, t=2, p=1).</item>
/// <item>GlobalSetup checks that each case ends the way its name says; GlobalCleanup checks that the first-time
/// case ran Argon2id on every call and the others never did, and that the unknown id was never throttled.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ApiKeyHandlerBenchmarks
{
    private BenchmarkHost _host = null!;
    private ApiKeyVerifier _verifier = null!;
    private MeterListener _listener = null!;
    private long _argon2Checks;
    private long _argon2ChecksAtStart;
    private long _firstTimeCalls;

    private string _cachedHeader = null!;
    private string _firstTimeHeader = null!;
    private string _firstTimeKeyId = null!;
    private string _malformedHeader = null!;
    private string _unknownHeader = null!;

    /// <summary>
    /// The unknown-id case fails on every call, and the failure throttle (default 10 failures per key id per
    /// minute) would soon answer it from a different, cheaper path (429 without a store read). Its host raises
    /// <c>SecretChecks.FailureLimitPerSource</c> to <see cref="int.MaxValue"/> so that every call is a real "unknown key id".
    /// The other cases never fail a secret check and run with every option at its default.
    /// </summary>
    [GlobalSetup(Target = nameof(UnknownKeyId))]
    public Task SetupUnthrottled() => SetupAsync(failureLimit: int.MaxValue);

    [GlobalSetup(Targets = [nameof(NoAuthorizationHeader), nameof(CachedKey), nameof(CachedKeyNewHeaderString), nameof(FirstTimeKey), nameof(MalformedKey)])]
    public Task SetupDefaults() => SetupAsync(failureLimit: null);

    private async Task SetupAsync(int? failureLimit)
    {
        _host = BenchmarkHost.Create(failureLimit);
        _verifier = _host.Services.GetRequiredService<ApiKeyVerifier>();
        var cached = await _host.CreateKeyAsync("cached");
        var firstTime = await _host.CreateKeyAsync("first-time");
        _cachedHeader = "Bearer " + cached.AccessKey;
        _firstTimeHeader = "Bearer " + firstTime.AccessKey;
        _firstTimeKeyId = firstTime.KeyId;

        // Bad checksum: the last checksum character changed, shape otherwise intact.
        var valid = ApiKeyFormat.Generate();
        _malformedHeader = "Bearer " + valid[..^1] + (valid[^1] == 'A' ? 'B' : 'A');

        // Right shape and checksum, never stored.
        _unknownHeader = "Bearer " + ApiKeyFormat.Generate();

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == VezaTelemetry.Name && instrument.Name == "veza.authentication.secret_verifications")
                {
                    listener.EnableMeasurementEvents(instrument, this);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, _, state) =>
            Interlocked.Add(ref ((ApiKeyHandlerBenchmarks)state!)._argon2Checks, value));
        _listener.Start();

        // Each case once, to check it takes the path its name says. This also fills the cache for CachedKey.
        Expect(await AuthenticateAsync(null), r => r.None, "no result");
        Expect(await AuthenticateAsync(_cachedHeader), r => r.Succeeded, "success");
        Expect(await AuthenticateAsync(_firstTimeHeader), r => r.Succeeded, "success");
        Expect(await AuthenticateAsync(_malformedHeader), r => r.Failure is CredentialRejectedException { Reason: "malformed key or bad checksum" }, "malformed");
        Expect(await AuthenticateAsync(_unknownHeader), r => r.Failure is CredentialRejectedException { Reason: "unknown key id" }, "unknown key id");
        Expect(await AuthenticateAsync(_cachedHeader), r => r.Succeeded, "success");
        _argon2ChecksAtStart = Interlocked.Read(ref _argon2Checks);
        _firstTimeCalls = 0;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var checks = Interlocked.Read(ref _argon2Checks) - _argon2ChecksAtStart;
        Console.WriteLine($"// Argon2id checks during the run: {checks}; first-time calls: {_firstTimeCalls}");
        if (checks != _firstTimeCalls)
        {
            throw new InvalidOperationException($"Expected {_firstTimeCalls} Argon2id checks, saw {checks}.");
        }

        Expect(await AuthenticateAsync(_unknownHeader), r => r.Failure is CredentialRejectedException { Reason: "unknown key id" },
            "unknown key id (not throttled) after the run");
        _listener.Dispose();
        await _host.DisposeAsync();
    }

    /// <summary>Reference: a request without an Authorization header (what an anonymous endpoint pays).</summary>
    [Benchmark(Description = "No Authorization header (reference)")]
    public Task<AuthenticateResult> NoAuthorizationHeader() => AuthenticateAsync(null);

    /// <summary>A key verified once in GlobalSetup: served from the cache, no Argon2id.</summary>
    [Benchmark(Description = "Cached key")]
    public Task<AuthenticateResult> CachedKey() => AuthenticateAsync(_cachedHeader);

    /// <summary>
    /// The cached key in a header string made afresh for each request, as when a client opens a connection per
    /// request (Kestrel reuses a repeated header's string on a keep-alive connection, which <see cref="CachedKey"/>
    /// models): the key is parsed and hashed again each time. The copy itself (about 200 B) is in the figures.
    /// </summary>
    [Benchmark(Description = "Cached key, new header string")]
    public Task<AuthenticateResult> CachedKeyNewHeaderString() => AuthenticateAsync(new string(_cachedHeader.AsSpan()));

    /// <summary>
    /// A key not in the cache: every call runs Argon2id. The call first evicts the key's cached checks with
    /// <see cref="ApiKeyVerifier.Evict"/> (the same eviction every key change does: one interlocked increment), so the
    /// measured time is a real cache miss: store read, Argon2id verification, caching the snapshot and building the principal.
    /// GlobalCleanup checks that the number of Argon2id checks equals the number of calls.
    /// </summary>
    [Benchmark(Description = "First-time key (cache miss, Argon2id)")]
    public async Task<AuthenticateResult> FirstTimeKey()
    {
        _verifier.Evict(_firstTimeKeyId);
        _firstTimeCalls++;
        return await AuthenticateAsync(_firstTimeHeader);
    }

    /// <summary>A key with our prefix and a bad checksum: refused before any store or cache is asked.</summary>
    [Benchmark(Description = "Malformed key (bad checksum)")]
    public Task<AuthenticateResult> MalformedKey() => AuthenticateAsync(_malformedHeader);

    /// <summary>A well-formed key whose id is not stored: cache miss, one store read, rejection.</summary>
    [Benchmark(Description = "Unknown key id")]
    public Task<AuthenticateResult> UnknownKeyId() => AuthenticateAsync(_unknownHeader);

    private Task<AuthenticateResult> AuthenticateAsync(string? authorization) => _host.AuthenticateAsync(authorization);

    private static void Expect(AuthenticateResult result, Func<AuthenticateResult, bool> check, string what)
    {
        if (!check(result))
        {
            throw new InvalidOperationException($"Expected {what}, got succeeded={result.Succeeded}, none={result.None}, failure={result.Failure?.Message}.");
        }
    }
}
