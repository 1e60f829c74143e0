using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

// ApiKeyQuery.NameContains: a case-insensitive search in names, with every character literal, combined with the other
// filters and with the id cursor.
public abstract partial class ApiKeyStoreContract
{
    private async Task<string[]> ListIdsAsync(ApiKeyQuery query) => [.. (await Store.ListAsync(query, CancellationToken.None)).Items.Select(k => k.Id)];

    [Test]
    public async Task Name_contains_finds_names_ignoring_case_and_leaves_out_the_rest()
    {
        await AddAsync(Key(Id(1), "ci-DEPLOY-bot"));
        await AddAsync(Key(Id(2), "backup"));
        await AddAsync(Key(Id(3), "Redeployer"));
        await AddAsync(Key(Id(4), "deploy"));
        await AddAsync(Key(Id(5), "\u00C4rger"));

        Assert.Multiple(async () =>
        {
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "Deploy" }), Is.EqualTo(new[] { Id(1), Id(3), Id(4) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "BACKUP" }), Is.EqualTo(new[] { Id(2) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "\u00E4R" }), Is.EqualTo(new[] { Id(5) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "deploy-bots" }), Is.Empty);
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "" }), Has.Length.EqualTo(5), "empty does not filter");
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = null }), Has.Length.EqualTo(5), "null does not filter");
        });
    }

    [Test]
    public async Task Name_contains_takes_wildcard_characters_as_literal_text()
    {
        await AddAsync(Key(Id(1), "50%_off"));
        await AddAsync(Key(Id(2), "50 off"));
        await AddAsync(Key(Id(3), "a_b"));
        await AddAsync(Key(Id(4), "axb"));
        await AddAsync(Key(Id(5), @"back\slash"));
        await AddAsync(Key(Id(6), "[x]"));
        await AddAsync(Key(Id(7), "x"));

        Assert.Multiple(async () =>
        {
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "%_" }), Is.EqualTo(new[] { Id(1) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "%" }), Is.EqualTo(new[] { Id(1) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "0%" }), Is.EqualTo(new[] { Id(1) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "_" }), Is.EqualTo(new[] { Id(1), Id(3) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "a_b" }), Is.EqualTo(new[] { Id(3) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = @"\" }), Is.EqualTo(new[] { Id(5) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = @"k\s" }), Is.EqualTo(new[] { Id(5) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "[x]" }), Is.EqualTo(new[] { Id(6) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "[" }), Is.EqualTo(new[] { Id(6) }));
        });
    }

    [Test]
    public async Task Name_contains_combines_with_the_other_filters()
    {
        await AddAsync(Key(Id(1), "deploy", "t1"));
        await AddAsync(Key(Id(2), "deploy", "t2"));
        await AddAsync(Key(Id(3), "deploy", "t1", "u1"));
        await AddAsync(Key(Id(4), "Deploy-2", "t1", "u2"));
        await AddAsync(Key(Id(5), "other", "t1", "u1"));
        await Store.RevokeAsync(Id(4), "system", ApiKeyAuthority.Host, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "DEPLOY", TeamId = "t1" }), Is.EqualTo(new[] { Id(1), Id(3), Id(4) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "DEPLOY", Kind = ApiKeyKind.Team }), Is.EqualTo(new[] { Id(1), Id(2) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "ploy", Kind = ApiKeyKind.Personal, TeamId = "t1" }),
                Is.EqualTo(new[] { Id(3), Id(4) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "ploy", OwnerUserId = "u1" }), Is.EqualTo(new[] { Id(3) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "ploy", Status = ApiKeyStatus.Inactive }), Is.EqualTo(new[] { Id(4) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "ploy", Name = "deploy", TeamId = "t2" }), Is.EqualTo(new[] { Id(2) }));
            Assert.That(await ListIdsAsync(new ApiKeyQuery { NameContains = "other", Kind = ApiKeyKind.Team }), Is.Empty);
        });
    }

    [Test]
    public async Task Name_contains_pages_by_id_over_the_matches_alone()
    {
        var expected = new List<string>();
        for (var i = 1; i <= 12; i++)
        {
            var matches = i % 3 != 0;
            await AddAsync(Key(Id(i), matches ? $"Build-{i}" : $"other-{i}"));
            if (matches)
            {
                expected.Add(Id(i));
            }
        }

        var seen = new List<string>();
        var pages = 0;
        ApiKeyPage page;
        string? after = null;
        do
        {
            page = await Store.ListAsync(new ApiKeyQuery { NameContains = "bUILD", PageSize = 3, AfterId = after }, CancellationToken.None);
            seen.AddRange(page.Items.Select(k => k.Id));
            after = page.Items.Count > 0 ? page.Items[^1].Id : null;
            pages++;
        }
        while (page.HasMore && pages < 10);

        Assert.That(seen, Is.EqualTo(expected));
        Assert.That(pages, Is.EqualTo(3), "eight matches in pages of three, the last one saying no more match");
    }
}
