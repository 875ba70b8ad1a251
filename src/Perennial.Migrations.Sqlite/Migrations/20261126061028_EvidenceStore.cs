using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class EvidenceStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EvidenceItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    PeriodFrom = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    PeriodTo = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    CollectedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    SourceUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SourceTokenId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CollectorRunId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Size = table.Column<long>(type: "INTEGER", nullable: true),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    RetainUntil = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    SupersedesId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SupersededById = table.Column<Guid>(type: "TEXT", nullable: true),
                    SupersededAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClientKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvidenceItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvidenceItems_AspNetUsers_SourceUserId",
                        column: x => x.SourceUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_EvidenceItems_EvidenceItems_SupersedesId",
                        column: x => x.SupersedesId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_EvidenceItems_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Column and foreign key in one ALTER TABLE (SQLite allows it for a nullable column), so the
            // table is not rebuilt outside the migration's transaction.
            migrationBuilder.Sql("""
                ALTER TABLE "OccurrenceEvidence" ADD COLUMN "EvidenceItemId" TEXT NULL
                    CONSTRAINT "FK_OccurrenceEvidence_EvidenceItems_EvidenceItemId" REFERENCES "EvidenceItems" ("Id") ON DELETE RESTRICT;
                """);

            migrationBuilder.CreateTable(
                name: "EvidenceItemLinks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    EvidenceItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActivityId = table.Column<Guid>(type: "TEXT", nullable: true),
                    OccurrenceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ControlId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FrameworkId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvidenceItemLinks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvidenceItemLinks_Activities_ActivityId",
                        column: x => x.ActivityId,
                        principalTable: "Activities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_EvidenceItemLinks_Controls_ControlId",
                        column: x => x.ControlId,
                        principalTable: "Controls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_EvidenceItemLinks_EvidenceItems_EvidenceItemId",
                        column: x => x.EvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_EvidenceItemLinks_Frameworks_FrameworkId",
                        column: x => x.FrameworkId,
                        principalTable: "Frameworks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_EvidenceItemLinks_Occurrences_OccurrenceId",
                        column: x => x.OccurrenceId,
                        principalTable: "Occurrences",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OccurrenceEvidence_EvidenceItemId",
                table: "OccurrenceEvidence",
                column: "EvidenceItemId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItemLinks_ActivityId",
                table: "EvidenceItemLinks",
                column: "ActivityId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItemLinks_ControlId",
                table: "EvidenceItemLinks",
                column: "ControlId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItemLinks_EvidenceItemId",
                table: "EvidenceItemLinks",
                column: "EvidenceItemId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItemLinks_FrameworkId",
                table: "EvidenceItemLinks",
                column: "FrameworkId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItemLinks_OccurrenceId",
                table: "EvidenceItemLinks",
                column: "OccurrenceId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_CollectorRunId",
                table: "EvidenceItems",
                column: "CollectorRunId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_OrganisationId_ClientKey",
                table: "EvidenceItems",
                columns: new[] { "OrganisationId", "ClientKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_OrganisationId_PeriodTo",
                table: "EvidenceItems",
                columns: new[] { "OrganisationId", "PeriodTo" });

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_Sha256",
                table: "EvidenceItems",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_SourceUserId",
                table: "EvidenceItems",
                column: "SourceUserId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_SupersedesId",
                table: "EvidenceItems",
                column: "SupersedesId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_OccurrenceEvidence_EvidenceItems_EvidenceItemId",
                table: "OccurrenceEvidence");

            migrationBuilder.DropTable(
                name: "EvidenceItemLinks");

            migrationBuilder.DropTable(
                name: "EvidenceItems");

            migrationBuilder.DropIndex(
                name: "IX_OccurrenceEvidence_EvidenceItemId",
                table: "OccurrenceEvidence");

            migrationBuilder.DropColumn(
                name: "EvidenceItemId",
                table: "OccurrenceEvidence");
        }
    }
}
