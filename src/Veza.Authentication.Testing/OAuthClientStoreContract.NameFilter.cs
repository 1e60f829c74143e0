using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

// OAuthClientQuery.NameContains: a case-insensitive search in names, with every character literal, combined with the
// team and kind filters and with the id cursor.
public abstract partial class OAuthClientStoreContract
{
    private static OAuthClientRecord App(string id, string name, string team = "t1") => Client(id, name, team) with
    {
        Kind = OAuthClientKind.App,
        Role = "",
        App = new OAuthAppSettings { BaseUrl = "https://app.example", RedirectUris = ["https://app.example/callback"] },
    };

    private async Task<string[]> ListIdsAsync(OAuthClientQuery query) => [.. (await Store.ListAsync(query, CancellationToken.None)).Items.Select(c => c.Id)];

    [Test]
    public async Task Name_contains_finds_names_ignoring_case_and_leaves_out_the_rest()
    {
        await AddAsync(Client("c1", "ci-DEPLOY-bot"));
        await AddAsync(Client("c2", "backup"));
        await AddAsync(Client("c3", "Redeployer"));
        await AddAsync(Client("c4", "deploy"));

        Assert.Multiple(async () =>
        {
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "Deploy" }), Is.EqualTo(new[] { "c1", "c3", "c4" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "BACKUP" }), Is.EqualTo(new[] { "c2" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "deploy-bots" }), Is.Empty);
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "" }), Has.Length.EqualTo(4), "empty does not filter");
        });
    }

    [Test]
    public async Task Name_contains_takes_wildcard_characters_as_literal_text()
    {
        await AddAsync(Client("c1", "50%_off"));
        await AddAsync(Client("c2", "50 off"));
        await AddAsync(Client("c3", "a_b"));
        await AddAsync(Client("c4", "axb"));
        await AddAsync(Client("c5", @"back\slash"));
        await AddAsync(Client("c6", "[x]"));
        await AddAsync(Client("c7", "x"));

        Assert.Multiple(async () =>
        {
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "%_" }), Is.EqualTo(new[] { "c1" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "%" }), Is.EqualTo(new[] { "c1" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "_" }), Is.EqualTo(new[] { "c1", "c3" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "a_b" }), Is.EqualTo(new[] { "c3" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = @"k\s" }), Is.EqualTo(new[] { "c5" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "[x]" }), Is.EqualTo(new[] { "c6" }));
        });
    }

    [Test]
    public async Task Name_contains_combines_with_team_and_kind()
    {
        await AddAsync(Client("c1", "sync", "t1"));
        await AddAsync(Client("c2", "SYNC", "t2"));
        await AddAsync(App("c3", "Sync app", "t1"));
        await AddAsync(Client("c4", "other", "t1"));

        Assert.Multiple(async () =>
        {
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "sYnC", TeamId = "t1" }), Is.EqualTo(new[] { "c1", "c3" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "sYnC", Kind = OAuthClientKind.Client }), Is.EqualTo(new[] { "c1", "c2" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "sync", Kind = OAuthClientKind.App, TeamId = "t1" }), Is.EqualTo(new[] { "c3" }));
            Assert.That(await ListIdsAsync(new OAuthClientQuery { NameContains = "app", Kind = OAuthClientKind.Client }), Is.Empty);
        });
    }

    [Test]
    public async Task Name_contains_pages_by_id_over_the_matches_alone()
    {
        var expected = new List<string>();
        for (var i = 1; i <= 12; i++)
        {
            var matches = i % 3 != 0;
            await AddAsync(Client($"c{i:D2}", matches ? $"Build-{i}" : $"other-{i}"));
            if (matches)
            {
                expected.Add($"c{i:D2}");
            }
        }

        var seen = new List<string>();
        var pages = 0;
        OAuthClientPage page;
        string? after = null;
        do
        {
            page = await Store.ListAsync(new OAuthClientQuery { NameContains = "bUILD", PageSize = 3, AfterId = after }, CancellationToken.None);
            seen.AddRange(page.Items.Select(c => c.Id));
            after = page.Items.Count > 0 ? page.Items[^1].Id : null;
            pages++;
        }
        while (page.HasMore && pages < 10);

        Assert.That(seen, Is.EqualTo(expected));
        Assert.That(pages, Is.EqualTo(3), "eight matches in pages of three, the last one saying no more match");
    }
}
