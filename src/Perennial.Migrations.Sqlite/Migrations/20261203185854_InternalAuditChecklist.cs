using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InternalAuditChecklist : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Foreign-key columns are added with their constraint in place: AddColumn and AddForeignKey would make SQLite rebuild the table outside the migration's transaction.
            migrationBuilder.AddColumn<Guid>(
                name: "ChecklistItemId",
                table: "Nonconformities",
                type: "TEXT",
                nullable: true);

            migrationBuilder.Sql("""ALTER TABLE "Nonconformities" ADD COLUMN "InternalAuditId" TEXT NULL CONSTRAINT "FK_Nonconformities_InternalAudits_InternalAuditId" REFERENCES "InternalAudits" ("Id") ON DELETE SET NULL;""");

            migrationBuilder.Sql("""ALTER TABLE "InternalAudits" ADD COLUMN "ActivityId" TEXT NULL CONSTRAINT "FK_InternalAudits_Activities_ActivityId" REFERENCES "Activities" ("Id") ON DELETE SET NULL;""");

            migrationBuilder.AddColumn<DateOnly>(
                name: "PeriodFrom",
                table: "InternalAudits",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "PeriodTo",
                table: "InternalAudits",
                type: "TEXT",
                nullable: true);

            migrationBuilder.Sql("""ALTER TABLE "InternalAudits" ADD COLUMN "ReportEvidenceId" TEXT NULL CONSTRAINT "FK_InternalAudits_EvidenceItems_ReportEvidenceId" REFERENCES "EvidenceItems" ("Id") ON DELETE SET NULL;""");

            migrationBuilder.AddColumn<long>(
                name: "SignedOffAt",
                table: "InternalAudits",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.Sql("""ALTER TABLE "InternalAudits" ADD COLUMN "SignedOffByUserId" TEXT NULL CONSTRAINT "FK_InternalAudits_AspNetUsers_SignedOffByUserId" REFERENCES "AspNetUsers" ("Id") ON DELETE SET NULL;""");

            migrationBuilder.AddColumn<long>(
                name: "StartedAt",
                table: "InternalAudits",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Improvements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Identifier = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    InternalAuditId = table.Column<Guid>(type: "TEXT", nullable: true),
                    OwnerUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RaisedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RaisedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    DecisionReason = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    DoneOn = table.Column<DateOnly>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Improvements", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Improvements_AspNetUsers_DecidedByUserId",
                        column: x => x.DecidedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Improvements_AspNetUsers_OwnerUserId",
                        column: x => x.OwnerUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Improvements_AspNetUsers_RaisedByUserId",
                        column: x => x.RaisedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Improvements_InternalAudits_InternalAuditId",
                        column: x => x.InternalAuditId,
                        principalTable: "InternalAudits",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Improvements_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InternalAuditSettings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SampleSizes = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InternalAuditSettings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InternalAuditSettings_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ChecklistItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    InternalAuditId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Identifier = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    Result = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RecordedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    EvidenceIds = table.Column<string>(type: "TEXT", nullable: false),
                    NonconformityId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ImprovementId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChecklistItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ChecklistItems_AspNetUsers_RecordedByUserId",
                        column: x => x.RecordedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_ChecklistItems_Improvements_ImprovementId",
                        column: x => x.ImprovementId,
                        principalTable: "Improvements",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_ChecklistItems_InternalAudits_InternalAuditId",
                        column: x => x.InternalAuditId,
                        principalTable: "InternalAudits",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ChecklistItems_Nonconformities_NonconformityId",
                        column: x => x.NonconformityId,
                        principalTable: "Nonconformities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "ChecklistSamples",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChecklistItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActivityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Frequency = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Seed = table.Column<int>(type: "INTEGER", nullable: false),
                    Population = table.Column<int>(type: "INTEGER", nullable: false),
                    Size = table.Column<int>(type: "INTEGER", nullable: false),
                    OccurrenceIds = table.Column<string>(type: "TEXT", nullable: false),
                    DrawnAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DrawnByUserId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChecklistSamples", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ChecklistSamples_Activities_ActivityId",
                        column: x => x.ActivityId,
                        principalTable: "Activities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ChecklistSamples_AspNetUsers_DrawnByUserId",
                        column: x => x.DrawnByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_ChecklistSamples_ChecklistItems_ChecklistItemId",
                        column: x => x.ChecklistItemId,
                        principalTable: "ChecklistItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_ChecklistItemId",
                table: "Nonconformities",
                column: "ChecklistItemId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_InternalAuditId",
                table: "Nonconformities",
                column: "InternalAuditId");

            migrationBuilder.CreateIndex(
                name: "IX_InternalAudits_ActivityId",
                table: "InternalAudits",
                column: "ActivityId");

            migrationBuilder.CreateIndex(
                name: "IX_InternalAudits_ReportEvidenceId",
                table: "InternalAudits",
                column: "ReportEvidenceId");

            migrationBuilder.CreateIndex(
                name: "IX_InternalAudits_SignedOffByUserId",
                table: "InternalAudits",
                column: "SignedOffByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_ChecklistItems_ImprovementId",
                table: "ChecklistItems",
                column: "ImprovementId");

            migrationBuilder.CreateIndex(
                name: "IX_ChecklistItems_InternalAuditId_Identifier",
                table: "ChecklistItems",
                columns: new[] { "InternalAuditId", "Identifier" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChecklistItems_NonconformityId",
                table: "ChecklistItems",
                column: "NonconformityId");

            migrationBuilder.CreateIndex(
                name: "IX_ChecklistItems_RecordedByUserId",
                table: "ChecklistItems",
                column: "RecordedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_ChecklistSamples_ActivityId",
                table: "ChecklistSamples",
                column: "ActivityId");

            migrationBuilder.CreateIndex(
                name: "IX_ChecklistSamples_ChecklistItemId_ActivityId",
                table: "ChecklistSamples",
                columns: new[] { "ChecklistItemId", "ActivityId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChecklistSamples_DrawnByUserId",
                table: "ChecklistSamples",
                column: "DrawnByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_Improvements_DecidedByUserId",
                table: "Improvements",
                column: "DecidedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_Improvements_InternalAuditId",
                table: "Improvements",
                column: "InternalAuditId");

            migrationBuilder.CreateIndex(
                name: "IX_Improvements_OrganisationId_Reference",
                table: "Improvements",
                columns: new[] { "OrganisationId", "Reference" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Improvements_OrganisationId_Status",
                table: "Improvements",
                columns: new[] { "OrganisationId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Improvements_OwnerUserId",
                table: "Improvements",
                column: "OwnerUserId");

            migrationBuilder.CreateIndex(
                name: "IX_Improvements_RaisedByUserId",
                table: "Improvements",
                column: "RaisedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_InternalAuditSettings_OrganisationId",
                table: "InternalAuditSettings",
                column: "OrganisationId",
                unique: true);




        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_InternalAudits_Activities_ActivityId",
                table: "InternalAudits");

            migrationBuilder.DropForeignKey(
                name: "FK_InternalAudits_AspNetUsers_SignedOffByUserId",
                table: "InternalAudits");

            migrationBuilder.DropForeignKey(
                name: "FK_InternalAudits_EvidenceItems_ReportEvidenceId",
                table: "InternalAudits");

            migrationBuilder.DropForeignKey(
                name: "FK_Nonconformities_InternalAudits_InternalAuditId",
                table: "Nonconformities");

            migrationBuilder.DropTable(
                name: "ChecklistSamples");

            migrationBuilder.DropTable(
                name: "InternalAuditSettings");

            migrationBuilder.DropTable(
                name: "ChecklistItems");

            migrationBuilder.DropTable(
                name: "Improvements");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_ChecklistItemId",
                table: "Nonconformities");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_InternalAuditId",
                table: "Nonconformities");

            migrationBuilder.DropIndex(
                name: "IX_InternalAudits_ActivityId",
                table: "InternalAudits");

            migrationBuilder.DropIndex(
                name: "IX_InternalAudits_ReportEvidenceId",
                table: "InternalAudits");

            migrationBuilder.DropIndex(
                name: "IX_InternalAudits_SignedOffByUserId",
                table: "InternalAudits");

            migrationBuilder.DropColumn(
                name: "ChecklistItemId",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "InternalAuditId",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "ActivityId",
                table: "InternalAudits");

            migrationBuilder.DropColumn(
                name: "PeriodFrom",
                table: "InternalAudits");

            migrationBuilder.DropColumn(
                name: "PeriodTo",
                table: "InternalAudits");

            migrationBuilder.DropColumn(
                name: "ReportEvidenceId",
                table: "InternalAudits");

            migrationBuilder.DropColumn(
                name: "SignedOffAt",
                table: "InternalAudits");

            migrationBuilder.DropColumn(
                name: "SignedOffByUserId",
                table: "InternalAudits");

            migrationBuilder.DropColumn(
                name: "StartedAt",
                table: "InternalAudits");
        }
    }
}
