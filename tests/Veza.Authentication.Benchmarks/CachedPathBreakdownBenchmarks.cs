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
    private static readonly string[] Roles = ["admin"];
    private static readonly string[] AdminPermissions = ["graph:read", "integrations:push", "users:read", "reviews:manage"];

    private BenchmarkHost _host = null!;
    private ApiKeyVerifier _verifier = null!;
    private Veza.Authentication.Diagnostics.IVezaAuditSink _audit = null!;
    private IVezaUserDirectory _directory = null!;
    private VezaPrincipalFactory _principals = null!;
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
        _principals = _host.Services.GetRequiredService<VezaPrincipalFactory>();
        (_keyId, _accessKey) = await _host.CreateKeyAsync("cached");
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

    /// <summary>The same request straight to the API key scheme, skipping the "Veza" policy scheme's forwarding.</summary>
    [Benchmark(Description = "Whole cached request, API key scheme directly")]
    public Task<AuthenticateResult> WholeRequestDirectScheme() => _host.AuthenticateAsync(_header, VezaAuthenticationDefaults.ApiKeyScheme);

    /// <summary>The request without a key: scope, HttpContext, IAuthenticationService, policy scheme, handler.</summary>
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

    /// <summary>The principal: 12 claims (6 fixed, user id, 1 role, 4 permissions), identity, principal.</summary>
    [Benchmark(Description = "VezaPrincipalFactory.Create (12 claims)")]
    public ClaimsPrincipal CreatePrincipal()
        => _principals.Create("Veza.ApiKey", VezaPrincipalFactory.UserSubject("u"), "U", VezaPrincipalTypes.User, "u", "t",
            Roles, VezaAuthenticationMethods.PersonalApiKey, _keyId);

    /// <summary>
    /// Alternative: the same 12 claims added to an identity created first, each claim made with that identity as
    /// its subject. <c>new ClaimsIdentity(claims, ...)</c> clones every claim whose Subject is not the identity,
    /// so the factory's claims are each allocated twice; this shape allocates them once.
    /// </summary>
    [Benchmark(Description = "Alt: principal, claims made on the identity")]
    public ClaimsPrincipal CreatePrincipalNoClone()
    {
        var identity = new ClaimsIdentity("Veza.ApiKey", VezaClaimTypes.Name, VezaClaimTypes.Role);
        Add(identity, VezaClaimTypes.Subject, VezaPrincipalFactory.UserSubject("u"));
        Add(identity, VezaClaimTypes.Name, "U");
        Add(identity, VezaClaimTypes.PrincipalType, VezaPrincipalTypes.User);
        Add(identity, VezaClaimTypes.TeamId, "t");
        Add(identity, VezaClaimTypes.AuthenticationMethod, VezaAuthenticationMethods.PersonalApiKey);
        Add(identity, VezaClaimTypes.CredentialId, _keyId);
        Add(identity, VezaClaimTypes.UserId, "u");
        Add(identity, VezaClaimTypes.Role, "admin");
        foreach (var permission in AdminPermissions)
        {
            Add(identity, VezaClaimTypes.Permission, permission);
        }

        return new ClaimsPrincipal(identity);

        static void Add(ClaimsIdentity identity, string type, string value)
            => identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));
    }
}
