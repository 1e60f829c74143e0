using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Veza.Authentication.EntityFrameworkCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    internal partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "veza_api_keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name_key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    team_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    owner_user_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    owner_key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_by_user_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    secret_hash = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    status = table.Column<int>(type: "integer", nullable: false),
                    revoked_by = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    revoked_authority = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_access_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "veza_change_feed_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    last_sequence = table.Column<long>(type: "bigint", nullable: false),
                    pruned_through = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_change_feed_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "veza_changes",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    item_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_changes", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "veza_data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "veza_oauth_clients",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name_key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    team_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    role = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    allowed_scopes = table.Column<string>(type: "text", nullable: false),
                    access_token_lifetime_ticks = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    revoked_by = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    created_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    app_base_url = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    app_redirect_uris = table.Column<string>(type: "text", nullable: true),
                    app_is_public = table.Column<bool>(type: "boolean", nullable: false),
                    app_allow_any_redirect_uri = table.Column<bool>(type: "boolean", nullable: false),
                    app_allow_loopback_redirect_uris = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_oauth_clients", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "veza_oauth_codes",
                columns: table => new
                {
                    hash = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    grant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    app_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    redirect_uri = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    code_challenge = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    user_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    team_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    scopes = table.Column<string>(type: "text", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    redeemed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_oauth_codes", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "veza_oauth_consents",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    app_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    team_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    scopes = table.Column<string>(type: "text", nullable: false),
                    granted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_oauth_consents", x => new { x.user_id, x.app_id, x.team_id });
                });

            migrationBuilder.CreateTable(
                name: "veza_oauth_grants",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    app_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    user_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    team_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    scopes = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_oauth_grants", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "veza_oauth_refresh_tokens",
                columns: table => new
                {
                    hash = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    grant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    app_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    rotated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_oauth_refresh_tokens", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "veza_revoked_tokens",
                columns: table => new
                {
                    token_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    client_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_revoked_tokens", x => x.token_id);
                });

            migrationBuilder.CreateTable(
                name: "veza_settings",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    oauth2_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_settings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "veza_signing_keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    algorithm = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    protected_private_key = table.Column<byte[]>(type: "bytea", nullable: false),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    signs_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    signs_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    unpublish_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_signing_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "veza_oauth_client_secrets",
                columns: table => new
                {
                    client_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    secret_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    hash = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_veza_oauth_client_secrets", x => new { x.client_id, x.secret_id });
                    table.ForeignKey(
                        name: "FK_veza_oauth_client_secrets_veza_oauth_clients_client_id",
                        column: x => x.client_id,
                        principalTable: "veza_oauth_clients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "veza_change_feed_state",
                columns: new[] { "id", "last_sequence", "pruned_through" },
                values: new object[] { 1, 0L, 0L });

            migrationBuilder.InsertData(
                table: "veza_settings",
                columns: new[] { "id", "oauth2_enabled", "updated_at", "updated_by", "version" },
                values: new object[] { 1, false, null, null, 0L });

            migrationBuilder.CreateIndex(
                name: "IX_veza_api_keys_owner_user_id_team_id",
                table: "veza_api_keys",
                columns: new[] { "owner_user_id", "team_id" });

            migrationBuilder.CreateIndex(
                name: "IX_veza_api_keys_team_id_id",
                table: "veza_api_keys",
                columns: new[] { "team_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_veza_api_keys_team_id_kind_owner_key_name_key",
                table: "veza_api_keys",
                columns: new[] { "team_id", "kind", "owner_key", "name_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_veza_changes_recorded_at",
                table: "veza_changes",
                column: "recorded_at");

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_clients_kind_id",
                table: "veza_oauth_clients",
                columns: new[] { "kind", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_clients_team_id_kind_name_key",
                table: "veza_oauth_clients",
                columns: new[] { "team_id", "kind", "name_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_codes_app_id",
                table: "veza_oauth_codes",
                column: "app_id");

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_codes_expires_at",
                table: "veza_oauth_codes",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_codes_user_id_app_id",
                table: "veza_oauth_codes",
                columns: new[] { "user_id", "app_id" });

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_consents_app_id",
                table: "veza_oauth_consents",
                column: "app_id");

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_grants_app_id_user_id",
                table: "veza_oauth_grants",
                columns: new[] { "app_id", "user_id" });

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_grants_expires_at",
                table: "veza_oauth_grants",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_refresh_tokens_expires_at",
                table: "veza_oauth_refresh_tokens",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "IX_veza_oauth_refresh_tokens_grant_id",
                table: "veza_oauth_refresh_tokens",
                column: "grant_id");

            migrationBuilder.CreateIndex(
                name: "IX_veza_revoked_tokens_expires_at",
                table: "veza_revoked_tokens",
                column: "expires_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "veza_api_keys");

            migrationBuilder.DropTable(
                name: "veza_change_feed_state");

            migrationBuilder.DropTable(
                name: "veza_changes");

            migrationBuilder.DropTable(
                name: "veza_data_protection_keys");

            migrationBuilder.DropTable(
                name: "veza_oauth_client_secrets");

            migrationBuilder.DropTable(
                name: "veza_oauth_codes");

            migrationBuilder.DropTable(
                name: "veza_oauth_consents");

            migrationBuilder.DropTable(
                name: "veza_oauth_grants");

            migrationBuilder.DropTable(
                name: "veza_oauth_refresh_tokens");

            migrationBuilder.DropTable(
                name: "veza_revoked_tokens");

            migrationBuilder.DropTable(
                name: "veza_settings");

            migrationBuilder.DropTable(
                name: "veza_signing_keys");

            migrationBuilder.DropTable(
                name: "veza_oauth_clients");
        }
    }
}
