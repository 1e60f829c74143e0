using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Veza.Authentication.JwtBearer;

/// <summary>One entry of the feed as the server sends it (API-key entries never are).</summary>
internal sealed record FeedChange(long Sequence, string Type, string? Id, DateTimeOffset? ExpiresAt, bool? Active);

/// <summary>One answer of the feed: a page after a sequence, or a snapshot to start (over) from.</summary>
internal sealed record FeedPage(bool Snapshot, bool Enabled, long Next, bool HasMore, IReadOnlyList<FeedChange> Changes,
    IReadOnlyList<KeyValuePair<string, DateTimeOffset>> RevokedTokens);

/// <summary>A client or app as its tokens depend on it.</summary>
internal sealed record ClientState(bool Active, bool IsApp, string? TeamId, string[] SecretIds);

/// <summary>An app's grant as its tokens depend on it.</summary>
internal sealed record GrantState(bool Active, string? ClientId, string? UserId, string? TeamId);

/// <summary>
/// Calls the server's change feed (its address from the metadata) as the configured root-team client: a
/// client-credentials token, got from the token endpoint and reused until shortly before it expires, goes with every
/// call; a 401 gets a new token once. A 404 means the server is switched off (<see cref="AuthorizationServerOffException"/>);
/// any other failure throws.
/// </summary>
internal sealed class ChangeFeedClient(VezaChangeFeedOptions options, AuthorizationServerConfiguration configuration, HttpClient http, TimeProvider time)
    : IDisposable
{
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private CachedToken? _token;

    private sealed record CachedToken(string Value, DateTimeOffset RenewAt);

    public async Task<FeedPage> ReadAsync(long? after, CancellationToken cancellationToken)
    {
        using var document = await GetAsync(after is { } a ? "?after=" + a.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty,
            cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        var changes = new List<FeedChange>();
        foreach (var change in root.GetProperty("changes").EnumerateArray())
        {
            changes.Add(new FeedChange(change.GetProperty("sequence").GetInt64(), change.GetProperty("type").GetString()!,
                OptionalString(change, "id"), OptionalTime(change, "expires_at"),
                change.TryGetProperty("active", out var active) ? active.GetBoolean() : null));
        }

        var revoked = new List<KeyValuePair<string, DateTimeOffset>>();
        if (root.TryGetProperty("revoked_tokens", out var tokens))
        {
            foreach (var token in tokens.EnumerateArray())
            {
                revoked.Add(new(token.GetProperty("id").GetString()!, OptionalTime(token, "expires_at")!.Value));
            }
        }

        return new FeedPage(root.TryGetProperty("snapshot", out var snapshot) && snapshot.GetBoolean(), root.GetProperty("oauth2_enabled").GetBoolean(),
            root.GetProperty("next").GetInt64(), root.GetProperty("has_more").GetBoolean(), changes, revoked);
    }

    public async Task<ClientState> GetClientAsync(string id, CancellationToken cancellationToken)
    {
        using var document = await GetAsync("/clients/" + Uri.EscapeDataString(id), cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (!root.GetProperty("active").GetBoolean())
        {
            return new ClientState(false, false, null, []);
        }

        string[] secrets = root.TryGetProperty("secret_ids", out var ids) ? [.. ids.EnumerateArray().Select(x => x.GetString()!)] : [];
        return new ClientState(true, OptionalString(root, "kind") == "app", OptionalString(root, "team_id"), secrets);
    }

    public async Task<GrantState> GetGrantAsync(string id, CancellationToken cancellationToken)
    {
        using var document = await GetAsync("/grants/" + Uri.EscapeDataString(id), cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        return root.GetProperty("active").GetBoolean()
            ? new GrantState(true, OptionalString(root, "client_id"), OptionalString(root, "user_id"), OptionalString(root, "team_id"))
            : new GrantState(false, null, null, null);
    }

    private async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken)
    {
        var server = await configuration.GetAsync(cancellationToken).ConfigureAwait(false);
        var feed = server.ChangeFeedEndpoint ?? throw new InvalidOperationException("The authorization server's metadata names no change feed (veza_change_feed_endpoint).");
        var uri = new Uri(feed.ToString().TrimEnd('/') + path);
        for (var attempt = 0; ; attempt++)
        {
            var token = await GetTokenAsync(server, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // The token expired early, or was revoked: get another once.
                Volatile.Write(ref _token, null);
                continue;
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new AuthorizationServerOffException();
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"The change feed answered {(int)response.StatusCode}.", null, response.StatusCode);
            }

            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async Task<string> GetTokenAsync(ServerConfiguration server, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _token) is { } cached && time.GetUtcNow() < cached.RenewAt)
        {
            return cached.Value;
        }

        await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is { } again && time.GetUtcNow() < again.RenewAt)
            {
                return again.Value;
            }

            var endpoint = server.TokenEndpoint ?? throw new InvalidOperationException("The authorization server's metadata names no token endpoint.");
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", options.Scope)]),
            };
            // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined.
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(FormEncode(options.ClientId!) + ":" + FormEncode(options.ClientSecret!)));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new AuthorizationServerOffException();
            }

            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // The error code is the server's word for what is wrong (invalid_client, invalid_scope); never the secret.
                throw new InvalidOperationException($"The token endpoint refused the change feed's client ({(int)response.StatusCode} {OptionalString(body.RootElement, "error")}).");
            }

            var value = body.RootElement.GetProperty("access_token").GetString()!;
            var lifetime = TimeSpan.FromSeconds(body.RootElement.GetProperty("expires_in").GetInt64());
            // Renewed before it expires: 30 s before its end, or at half its life when it is shorter than a minute.
            var margin = TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 2, TimeSpan.FromSeconds(30).Ticks));
            Volatile.Write(ref _token, new CachedToken(value, time.GetUtcNow() + lifetime - margin));
            return value;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    public void Dispose() => _tokenLock.Dispose();

    private static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private static string? OptionalString(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? OptionalTime(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? DateTimeOffset.FromUnixTimeSeconds(value.GetInt64()) : null;
}
