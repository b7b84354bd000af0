-- Findings open before the sync appended finding.opened events have none on the chain: marked so the next sync
-- appends theirs (backfilled). Every finding opened from now on gets its event as it opens.
ALTER TABLE "FindingState" ADD COLUMN     "onChain" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "FindingState" ALTER COLUMN "onChain" SET DEFAULT true;
