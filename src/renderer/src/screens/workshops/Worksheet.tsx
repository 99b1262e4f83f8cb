import type { Workshop } from '../../../../shared/workshop/model';
import type { StepDefinition } from '../../../../shared/workshop/templates';
import { missingCase } from '../../../../shared/errors';
import { BehaviorsSheet } from './BehaviorsSheet';
import { PrioritiesSheet } from './PrioritiesSheet';
import { TableSheet } from './TableSheet';
import { UsageSheet } from './UsageSheet';
import { UseCasesSheet } from './UseCasesSheet';

/** The step's structured fields, by its worksheet kind. */
export function Worksheet({ w, step }: { w: Workshop; step: StepDefinition }) {
  switch (step.worksheet) {
    case 'use_cases':
      return <UseCasesSheet w={w} />;
    case 'behaviors':
      return <BehaviorsSheet w={w} />;
    case 'usage':
      return <UsageSheet w={w} />;
    case 'priorities':
      return <PrioritiesSheet w={w} />;
    case 'table':
      return <TableSheet w={w} step={step} />;
    default:
      return missingCase(step.worksheet);
  }
}
