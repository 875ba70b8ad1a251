using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Findings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Findings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Tool = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    RuleId = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Severity = table.Column<int>(type: "INTEGER", nullable: false),
                    PackageName = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    InstalledVersion = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    FixedVersion = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Location = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    FirstSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FixedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReopenedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DueOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    FirstEvidenceItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LastEvidenceItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActivityId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Findings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Findings_Activities_ActivityId",
                        column: x => x.ActivityId,
                        principalTable: "Activities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Findings_EvidenceItems_FirstEvidenceItemId",
                        column: x => x.FirstEvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Findings_EvidenceItems_LastEvidenceItemId",
                        column: x => x.LastEvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Findings_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FindingSettings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CriticalDays = table.Column<int>(type: "INTEGER", nullable: false),
                    HighDays = table.Column<int>(type: "INTEGER", nullable: false),
                    MediumDays = table.Column<int>(type: "INTEGER", nullable: false),
                    LowDays = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FindingSettings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FindingSettings_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Findings_ActivityId",
                table: "Findings",
                column: "ActivityId");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_FirstEvidenceItemId",
                table: "Findings",
                column: "FirstEvidenceItemId");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_LastEvidenceItemId",
                table: "Findings",
                column: "LastEvidenceItemId");

            migrationBuilder.CreateIndex(
                name: "IX_Findings_OrganisationId_Fingerprint",
                table: "Findings",
                columns: new[] { "OrganisationId", "Fingerprint" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Findings_OrganisationId_FixedAt_DueOn",
                table: "Findings",
                columns: new[] { "OrganisationId", "FixedAt", "DueOn" });

            migrationBuilder.CreateIndex(
                name: "IX_Findings_OrganisationId_Tool_Target",
                table: "Findings",
                columns: new[] { "OrganisationId", "Tool", "Target" });

            migrationBuilder.CreateIndex(
                name: "IX_FindingSettings_OrganisationId",
                table: "FindingSettings",
                column: "OrganisationId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Findings");

            migrationBuilder.DropTable(
                name: "FindingSettings");
        }
    }
}
