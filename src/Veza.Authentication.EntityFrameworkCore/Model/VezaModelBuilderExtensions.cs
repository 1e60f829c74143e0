using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Veza.Authentication.EntityFrameworkCore.Model;

namespace Veza.Authentication.EntityFrameworkCore;

/// <summary>Adds the tables of Veza's stores to a model: the package's own contexts call it, and so can a host's.</summary>
public static class VezaModelBuilderExtensions
{
    /// <summary>
    /// Adds the tables of every Veza store (API keys, OAuth2 clients and their secrets, grants, codes, refresh
    /// tokens, consents, signing keys, revoked tokens, settings and the change feed) to a host's model. Call it from
    /// <c>OnModelCreating</c>, register the context with <c>AddDbContextFactory</c> (or pooling), and pass the
    /// context to <c>AddEntityFrameworkCoreStores&lt;TContext&gt;()</c>; the host's own migrations then create the
    /// tables.
    /// </summary>
    /// <param name="modelBuilder">The model being built.</param>
    /// <param name="database">The context's <see cref="DbContext.Database"/>: the mapping of times and names depends on
    /// the provider (SQLite or PostgreSQL; no other is supported).</param>
    /// <param name="configure">Sets the schema or the table prefix.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddVezaAuthentication(this ModelBuilder modelBuilder, DatabaseFacade database, Action<VezaModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentNullException.ThrowIfNull(database);
        var options = new VezaModelOptions();
        configure?.Invoke(options);
        if (!string.IsNullOrEmpty(options.TablePrefix) && !options.TablePrefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException("The table prefix may hold only ASCII letters, digits and underscores.", nameof(configure));
        }

        var dialect = SqlDialect.Of(database);
        new VezaModel(modelBuilder, options, dialect).Build();
        return modelBuilder;
    }
}

internal sealed class VezaModel(ModelBuilder model, VezaModelOptions options, SqlDialect dialect)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Default;

    private static readonly ValueConverter<List<string>, string> ListToJson = new(
        v => JsonSerializer.Serialize(v, Json),
        v => JsonSerializer.Deserialize<List<string>>(v, Json) ?? new List<string>());

    private static readonly ValueComparer<List<string>> ListComparer = new(
        (a, b) => a!.SequenceEqual(b!),
        v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s.GetHashCode(StringComparison.Ordinal))),
        v => v.ToList());

    public void Build()
    {
        Table<ApiKeyRow>("api_keys", e =>
        {
            e.HasKey(k => k.Id);
            e.HasIndex(k => new { k.TeamId, k.Kind, k.OwnerKey, k.NameKey }).IsUnique();
            e.HasIndex(k => new { k.TeamId, k.Id });
            e.HasIndex(k => new { k.OwnerUserId, k.TeamId });
        });
        Table<ClientRow>("oauth_clients", e =>
        {
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.TeamId, c.Kind, c.NameKey }).IsUnique();
            e.HasIndex(c => new { c.Kind, c.Id });
            e.Property(c => c.AllowedScopes).HasConversion(ListToJson, ListComparer);
            e.Property(c => c.AppRedirectUris).HasConversion(ListToJson!, ListComparer!);
        });
        Table<ClientSecretRow>("oauth_client_secrets", e =>
        {
            e.HasKey(s => new { s.ClientId, s.SecretId });
            e.HasOne<ClientRow>().WithMany().HasForeignKey(s => s.ClientId).OnDelete(DeleteBehavior.Cascade);
        });
        Table<GrantRow>("oauth_grants", e =>
        {
            e.HasKey(g => g.Id);
            e.HasIndex(g => new { g.AppId, g.UserId });
            e.HasIndex(g => g.ExpiresAt);
            e.Property(g => g.Scopes).HasConversion(ListToJson, ListComparer);
        });
        Table<CodeRow>("oauth_codes", e =>
        {
            e.HasKey(c => c.Hash);
            e.HasIndex(c => new { c.UserId, c.AppId });
            e.HasIndex(c => c.AppId);
            e.HasIndex(c => c.ExpiresAt);
            e.Property(c => c.Scopes).HasConversion(ListToJson, ListComparer);
        });
        Table<RefreshTokenRow>("oauth_refresh_tokens", e =>
        {
            e.HasKey(t => t.Hash);
            e.HasIndex(t => t.GrantId);
            e.HasIndex(t => t.ExpiresAt);
        });
        Table<ConsentRow>("oauth_consents", e =>
        {
            e.HasKey(c => new { c.UserId, c.AppId, c.TeamId });
            e.HasIndex(c => c.AppId);
            e.Property(c => c.Scopes).HasConversion(ListToJson, ListComparer);
        });
        Table<SigningKeyRow>("signing_keys", e => e.HasKey(k => k.Id));
        Table<RevokedTokenRow>("revoked_tokens", e =>
        {
            e.HasKey(r => r.TokenId);
            e.HasIndex(r => r.ExpiresAt);
        });
        Table<SettingsRow>("settings", e =>
        {
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).ValueGeneratedNever();
            e.Property(s => s.OAuth2Enabled).HasColumnName("oauth2_enabled");
            e.HasData(new SettingsRow { Id = 1 });
        });
        Table<ChangeRow>("changes", e =>
        {
            e.HasKey(c => c.Sequence);
            e.Property(c => c.Sequence).ValueGeneratedNever();
            e.HasIndex(c => c.RecordedAt);
        });
        Table<ChangeFeedStateRow>("change_feed_state", e =>
        {
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).ValueGeneratedNever();
            e.HasData(new ChangeFeedStateRow { Id = 1 });
        });
    }

    private void Table<T>(string name, Action<EntityTypeBuilder<T>> configure) where T : class
    {
        var entity = model.Entity<T>();
        entity.ToTable(options.TablePrefix + name, options.Schema);
        configure(entity);
        foreach (var property in entity.Metadata.GetDeclaredProperties())
        {
            if (property.GetColumnName() == property.Name)
            {
                property.SetColumnName(SnakeCase(property.Name));
            }

            if (property.ClrType == typeof(string) && dialect.OrdinalCollation is { } collation)
            {
                property.SetCollation(collation);
            }

            if (property.ClrType == typeof(DateTimeOffset) || property.ClrType == typeof(DateTimeOffset?))
            {
                property.SetValueConverter(dialect.TimeConverter);
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}
