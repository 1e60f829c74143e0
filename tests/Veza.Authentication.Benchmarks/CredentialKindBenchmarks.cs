using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Microsoft.AspNetCore.Authentication;
using Veza.Authentication.OAuth2;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;

namespace Veza.Authentication.Benchmarks;

/// <summary>
/// One request's authentication (<c>AuthenticateAsync("Veza")</c> with the header, as <c>UseAuthentication</c> does)
/// for each way of calling the API, every credential already seen by this instance: a personal key, a client's access
/// token and an app's access token for a user (its grant's state and the user's roles read as on every request).
/// The header string is the same instance each time, as Kestrel gives on a keep-alive connection.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class CredentialKindBenchmarks
{
    private BenchmarkHost _host = null!;
    private string _keyHeader = null!;
    private string _clientHeader = null!;
    private string _userHeader = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = BenchmarkHost.Create(issuer: "https://veza.bench");
        await _host.Services.GetRequiredService<OAuthServerSwitch>().SetAsync(true, "system", CancellationToken.None);
        var (_, key) = await _host.CreateKeyAsync("kinds");
        _keyHeader = "Bearer " + key;

        var client = await _host.Services.GetRequiredService<OAuthClientService>().CreateAsync(new OAuthClientDraft
        {
            Name = "bench-client",
            TeamId = "t",
            Role = "admin",
            AllowedScopes = ["graph:read"],
        }, VezaCaller.Host, CancellationToken.None);
        var codec = _host.Services.GetRequiredService<AccessTokenCodec>();
        var (clientToken, _) = await codec.CreateAsync(client.Client!.Id, "t", "admin", client.SecretId!, ["graph:read"], TimeSpan.FromHours(1), CancellationToken.None);
        _clientHeader = "Bearer " + clientToken;

        var app = await _host.Services.GetRequiredService<OAuthAppService>().CreateAsync(new OAuthAppDraft
        {
            Name = "bench-app",
            TeamId = "t",
            BaseUrl = "https://app.bench",
            RedirectUris = ["https://app.bench/cb"],
            AllowedScopes = ["graph:read"],
        }, VezaCaller.Host, CancellationToken.None);
        // The app flow's code and its redemption, as the token endpoint does them.
        var verifier = new string('v', 43);
        var challenge = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        var grants = _host.Services.GetRequiredService<UserGrants>();
        var code = UserGrants.NewHandle();
        await grants.IssueCodeAsync(code, app.Client!.Id, "u", "t", ["graph:read"], "https://app.bench/cb", challenge, CancellationToken.None);
        var snapshot = new ClientSnapshot(app.Client.Id, app.Client.Name, "t", string.Empty, ["graph:read"], TimeSpan.FromHours(1), app.SecretId!, null,
            Stores.OAuthClientKind.App);
        var redeemed = await _host.Services.GetRequiredService<ITokenGrantHandler<AuthorizationCodeRequest>>()
            .HandleAsync(snapshot, new AuthorizationCodeRequest(code, "https://app.bench/cb", verifier), CancellationToken.None);
        _userHeader = "Bearer " + (redeemed.Tokens?.AccessToken ?? throw new InvalidOperationException(redeemed.Refusal?.Description));

        foreach (var header in new[] { _keyHeader, _clientHeader, _userHeader })
        {
            if (!(await _host.AuthenticateAsync(header)).Succeeded)
            {
                throw new InvalidOperationException("A credential does not authenticate.");
            }
        }
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _host.DisposeAsync();

    [Benchmark(Baseline = true, Description = "No credential")]
    public Task<AuthenticateResult> NoCredential() => _host.AuthenticateAsync(null);

    [Benchmark(Description = "Personal API key")]
    public Task<AuthenticateResult> PersonalKey() => _host.AuthenticateAsync(_keyHeader);

    [Benchmark(Description = "Client access token")]
    public Task<AuthenticateResult> ClientToken() => _host.AuthenticateAsync(_clientHeader);

    [Benchmark(Description = "App access token for a user")]
    public Task<AuthenticateResult> UserToken() => _host.AuthenticateAsync(_userHeader);
}
