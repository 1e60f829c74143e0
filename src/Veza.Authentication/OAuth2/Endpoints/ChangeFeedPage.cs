using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// What the change feed endpoint answers. A page is the entries after the caller's sequence that a resource server
/// acts on, with <c>next</c>, the sequence to ask after next time: every sequence up to it is in this page or an
/// earlier one, or was missing for longer than <see cref="VezaStoreOptions.ChangeGapWait"/> (a write that never
/// committed), so a reader that always asks after <c>next</c> misses nothing and keeps no memory of gaps. Entries above
/// a gap that is still awaited are sent too (act on them at once) and sent again until the gap settles. A snapshot is
/// where a reader starts, and where one starts over whose entries were pruned: the revoked access tokens that have not
/// expired, and a <c>next</c> a little before the feed's end, so a write that commits late is still read.
/// </summary>
internal static class ChangeFeedPage
{
    private const int PageSize = 500;

    // A snapshot's next sequence lies this far before the feed's end: writes that took a sequence before the end was
    // read and commit after the snapshot was taken are read in the first page.
    private const int SnapshotWindow = 100;

    public static async ValueTask<Action<Utf8JsonWriter>> ReadAsync(IServiceProvider services, long? after, CancellationToken cancellationToken)
    {
        var feed = services.GetRequiredService<IVezaChangeFeed>();
        if (after is not { } position)
        {
            return await SnapshotAsync(services, feed, cancellationToken).ConfigureAwait(false);
        }

        var page = await feed.ReadAsync(position, PageSize, cancellationToken).ConfigureAwait(false);
        if (page.PrunedThrough > position)
        {
            // Entries the caller never read may be gone: it starts over.
            return await SnapshotAsync(services, feed, cancellationToken).ConfigureAwait(false);
        }

        var options = services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var next = Settled(page.Changes, position, now, options.Stores.ChangeGapWait);
        var clients = await ClientActivityAsync(services, page.Changes, cancellationToken).ConfigureAwait(false);
        var enabled = services.GetRequiredService<OAuthServerSwitch>().IsEnabled;
        // A token lives at most the longest lifetime (plus the skew) after it was revoked or its grant was: after that,
        // a reader may forget the entry.
        var forgetAfter = options.OAuth2.MaxAccessTokenLifetime + options.OAuth2.ClockSkew;
        var full = page.Changes.Count == PageSize && next == page.Changes[^1].Sequence;
        return json =>
        {
            json.WriteBoolean("oauth2_enabled", enabled);
            json.WriteNumber("next", next);
            json.WriteBoolean("has_more", full);
            json.WriteStartArray("changes");
            foreach (var change in page.Changes)
            {
                WriteChange(json, change, clients, forgetAfter);
            }

            json.WriteEndArray();
        };
    }

    /// <summary>
    /// The highest sequence up to which the page settles the feed: each sequence after <paramref name="after"/> is in
    /// the page, or missing while an entry above it was recorded at least <paramref name="gapWait"/> ago.
    /// </summary>
    internal static long Settled(IReadOnlyList<VezaChange> changes, long after, DateTimeOffset now, TimeSpan gapWait)
    {
        var next = after;
        foreach (var change in changes)
        {
            if (change.Sequence <= next)
            {
                continue;
            }

            if (change.Sequence > next + 1 && now - change.RecordedAt < gapWait)
            {
                break;
            }

            next = change.Sequence;
        }

        return next;
    }

    private static async ValueTask<Action<Utf8JsonWriter>> SnapshotAsync(IServiceProvider services, IVezaChangeFeed feed, CancellationToken cancellationToken)
    {
        // The position is taken before the revocations are read: a revocation recorded meanwhile is in both, never in neither.
        var last = await feed.GetLastSequenceAsync(cancellationToken).ConfigureAwait(false);
        var start = Math.Max(0, last - SnapshotWindow);
        var pruned = (await feed.ReadAsync(start, 1, cancellationToken).ConfigureAwait(false)).PrunedThrough;
        var next = Math.Max(start, pruned);
        var time = services.GetRequiredService<TimeProvider>();
        var revoked = await services.GetRequiredService<ITokenRevocationStore>().ListAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var skew = services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.OAuth2.ClockSkew;
        var enabled = services.GetRequiredService<OAuthServerSwitch>().IsEnabled;
        return json =>
        {
            json.WriteBoolean("snapshot", true);
            json.WriteBoolean("oauth2_enabled", enabled);
            json.WriteNumber("next", next);
            json.WriteBoolean("has_more", true);
            json.WriteStartArray("changes");
            json.WriteEndArray();
            json.WriteStartArray("revoked_tokens");
            foreach (var token in revoked)
            {
                json.WriteStartObject();
                json.WriteString("id", token.TokenId);
                json.WriteNumber("expires_at", (token.ExpiresAt + skew).ToUnixTimeSeconds());
                json.WriteEndObject();
            }

            json.WriteEndArray();
        };
    }

    // Whether each client a page names is active now, read once per client: a reader refuses the tokens of one that is
    // not without asking again.
    private static async ValueTask<Dictionary<string, bool>> ClientActivityAsync(IServiceProvider services, IReadOnlyList<VezaChange> changes,
        CancellationToken cancellationToken)
    {
        var active = new Dictionary<string, bool>(StringComparer.Ordinal);
        var store = services.GetRequiredService<IOAuthClientStore>();
        foreach (var change in changes)
        {
            if (change.Kind == VezaChangeKind.Client && !active.ContainsKey(change.Id))
            {
                active[change.Id] = await store.FindByIdAsync(change.Id, cancellationToken).ConfigureAwait(false) is { Status: OAuthClientStatus.Active };
            }
        }

        return active;
    }

    // API-key entries are left out: a resource server of access tokens has nothing to do with them, and they are not
    // its business. Their sequences still count towards next.
    private static void WriteChange(Utf8JsonWriter json, VezaChange change, Dictionary<string, bool> clients, TimeSpan forgetAfter)
    {
        var type = change.Kind switch
        {
            VezaChangeKind.RevokedToken => "token_revoked",
            VezaChangeKind.Grant => "grant_revoked",
            VezaChangeKind.Client => "client_changed",
            VezaChangeKind.SigningKeys => "signing_keys_changed",
            VezaChangeKind.Settings => "settings_changed",
            _ => null,
        };
        if (type is null)
        {
            return;
        }

        json.WriteStartObject();
        json.WriteNumber("sequence", change.Sequence);
        json.WriteString("type", type);
        if (change.Kind != VezaChangeKind.Settings)
        {
            json.WriteString("id", change.Id);
        }

        if (change.Kind is VezaChangeKind.RevokedToken or VezaChangeKind.Grant)
        {
            json.WriteNumber("expires_at", (change.RecordedAt + forgetAfter).ToUnixTimeSeconds());
        }
        else if (change.Kind == VezaChangeKind.Client)
        {
            json.WriteBoolean("active", clients[change.Id]);
        }

        json.WriteEndObject();
    }

    /// <summary>A client or app as its tokens depend on it: active, its kind, team and (for a client) the ids of the
    /// secrets it holds, so a token got with a removed secret is refused. Ids only: never a name, role, scope or hash.</summary>
    public static async ValueTask<Action<Utf8JsonWriter>> DescribeClientAsync(IServiceProvider services, string id, CancellationToken cancellationToken)
    {
        var client = await services.GetRequiredService<IOAuthClientStore>().FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
        return json =>
        {
            json.WriteString("id", id);
            json.WriteBoolean("active", client is { Status: OAuthClientStatus.Active });
            if (client is not { Status: OAuthClientStatus.Active })
            {
                return;
            }

            var app = client.Kind == OAuthClientKind.App;
            json.WriteString("kind", app ? "app" : "client");
            json.WriteString("team_id", client.TeamId);
            if (!app)
            {
                json.WriteStartArray("secret_ids");
                foreach (var secret in client.Secrets)
                {
                    json.WriteStringValue(secret.Id);
                }

                json.WriteEndArray();
            }
        };
    }

    /// <summary>An app's grant as its tokens depend on it: standing (not revoked), and whose it is.</summary>
    public static async ValueTask<Action<Utf8JsonWriter>> DescribeGrantAsync(IServiceProvider services, string id, CancellationToken cancellationToken)
    {
        var store = services.GetService<IOAuthGrantStore>();
        var grant = store is null ? null : await store.FindGrantAsync(id, cancellationToken).ConfigureAwait(false);
        return json =>
        {
            json.WriteString("id", id);
            json.WriteBoolean("active", grant is { RevokedAt: null });
            if (grant is { RevokedAt: null })
            {
                json.WriteString("client_id", grant.AppId);
                json.WriteString("user_id", grant.UserId);
                json.WriteString("team_id", grant.TeamId);
            }
        };
    }
}
