using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Microsoft.AspNetCore.Authentication;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Benchmarks;

/// <summary>
/// The steps of a cached API key request, each on its own, to see where the time and allocations of
/// <see cref="ApiKeyHandlerBenchmarks.CachedKey"/> go. The steps are called the way the handler calls them; the
/// cache benchmarks return the snapshot's id because the snapshot type is internal.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class CachedPathBreakdownBenchmarks
{
        private BenchmarkHost _host = null!;
    private ApiKeyVerifier _verifier = null!;
    private Veza.Authentication.Diagnostics.IVezaAuditSink _audit = null!;
    private IVezaUserDirectory _directory = null!;
    private VezaPrincipalResolver _principals = null!;
    private VezaPrincipalDescriptor _caller;
    private string _header = null!;
    private string _accessKey = null!;
    private string _keyId = null!;
    private string _secret = null!;
    private PresentedApiKey _presented = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = BenchmarkHost.Create();
        _verifier = _host.Services.GetRequiredService<ApiKeyVerifier>();
        _audit = _host.Services.GetRequiredService<Veza.Authentication.Diagnostics.IVezaAuditSink>();
        _directory = _host.Services.GetRequiredService<IVezaUserDirectory>();
        _principals = _host.Services.GetRequiredService<VezaPrincipalResolver>();
        (_keyId, _accessKey) = await _host.CreateKeyAsync("cached");
        _caller = new VezaPrincipalDescriptor
        {
            Subject = VezaPrincipalResolver.UserSubject("u"),
            PrincipalType = VezaPrincipalTypes.User,
            Method = VezaAuthenticationMethods.PersonalApiKey,
            CredentialId = _keyId,
            TeamId = "t",
            UserId = "u",
        };
        _header = "Bearer " + _accessKey;
        ApiKeyFormat.TryParse(_accessKey, ApiKeyFormat.DefaultPrefix, out _, out _secret);
        _presented = _verifier.Read(_header, _accessKey) ?? throw new InvalidOperationException("The key does not parse.");
        if (!(await _host.AuthenticateAsync(_header)).Succeeded)
        {
            throw new InvalidOperationException("The key does not authenticate.");
        }

        await _verifier.VerifyAsync(_presented, null, CancellationToken.None);
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _host.DisposeAsync();

    /// <summary>The whole request, as in <see cref="ApiKeyHandlerBenchmarks.CachedKey"/>.</summary>
    [Benchmark(Description = "Whole cached request (AuthenticateAsync)")]
    public Task<AuthenticateResult> WholeRequest() => _host.AuthenticateAsync(_header);

    /// <summary>The request without a key: scope, HttpContext, IAuthenticationService, handler.</summary>
    [Benchmark(Description = "Same request without a key")]
    public Task<AuthenticateResult> NoKey() => _host.AuthenticateAsync(null);

    /// <summary>Shape, checksum (CRC-32) and the two strings the handler makes of the key id and secret.</summary>
    [Benchmark(Description = "Parse key (shape, CRC-32, 2 strings)")]
    public bool ParseKey() => ApiKeyFormat.TryParse(_accessKey, ApiKeyFormat.DefaultPrefix, out _, out _);

    /// <summary>ApiKeyVerifier.CacheKey: SHA-256 of the secret, hex, concatenated with the id.</summary>
    [Benchmark(Description = "Cache key (SHA-256 + hex + concat)")]
    public string CacheKey() => ApiKeyVerifier.CacheKey(_keyId, _secret);

    /// <summary>SHA-256 of the 43-byte secret alone (OpenSSL on Linux), no strings.</summary>
    [Benchmark(Description = "SHA-256 of the secret only")]
    public byte Sha256Only()
    {
        Span<byte> ascii = stackalloc byte[ApiKeyFormat.SecretLength];
        var written = Encoding.ASCII.GetBytes(_secret, ascii);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..written], digest);
        return digest[0];
    }

    /// <summary>ApiKeyVerifier.Read for a header string it has read before: one lookup by reference.</summary>
    [Benchmark(Description = "ApiKeyVerifier.Read, same header string")]
    public string ReadSameHeader() => _verifier.Read(_header, _accessKey)!.CacheKey;

    /// <summary>ApiKeyVerifier.Read for a new string with the same contents: parse, SHA-256, strings, memo entry.
    /// The copy of the header (about 200 B) is in the figures.</summary>
    [Benchmark(Description = "ApiKeyVerifier.Read, new header string")]
    public string ReadNewHeader()
    {
        var header = new string(_header.AsSpan());
        return _verifier.Read(header, header.AsSpan("Bearer ".Length))!.CacheKey;
    }

    /// <summary>ApiKeyVerifier.VerifyAsync on a cached key: the remembered check of this header string, its generation
    /// stamp and its expiry.</summary>
    [Benchmark(Description = "ApiKeyVerifier.VerifyAsync (cache hit)")]
    public async ValueTask<string> VerifierHit() => (await _verifier.VerifyAsync(_presented, null, CancellationToken.None)).Id;

    /// <summary>The audit event of one authenticated call, written to the default sink (logging at Debug, off).</summary>
    [Benchmark(Description = "Audit event of one call (default sink)")]
    public ValueTask AuditEvent() => _audit.WriteAsync(new Veza.Authentication.Diagnostics.VezaAuditEvent
    {
        Action = Veza.Authentication.Diagnostics.VezaAuditEvent.ApiCallAction,
        Outcome = "success",
        Actor = "user:u",
        ActorCredentialId = _keyId,
        ActorCredentialKind = VezaAuthenticationMethods.PersonalApiKey,
        TargetKind = "api",
        TeamId = "t",
        Method = "GET",
        Path = "/api/ping",
        StatusCode = 200,
        ClientIp = "127.0.0.1",
        UserAgent = "wrk",
        RequestId = "0HN0000000001:00000001",
        Timestamp = DateTimeOffset.UtcNow,
    }, CancellationToken.None);

    /// <summary>The two directory reads of a personal key (in-memory directory).</summary>
    [Benchmark(Description = "Directory: user + roles")]
    public async ValueTask<int> DirectoryReads()
    {
        var user = await _directory.FindUserAsync("u", CancellationToken.None);
        var roles = await _directory.GetRolesAsync("u", "t", CancellationToken.None);
        return (user is null ? 0 : 1) + roles.Count;
    }

    /// <summary>The principal of a personal key: the directory's two reads, then 12 claims (6 fixed, user id, 1 role,
    /// 4 permissions), identity, principal.</summary>
    [Benchmark(Description = "VezaPrincipalResolver.ResolveAsync (12 claims)")]
    public async ValueTask<ClaimsPrincipal?> ResolvePrincipal()
        => await _principals.ResolveAsync(_caller, "Veza", CancellationToken.None);
}
