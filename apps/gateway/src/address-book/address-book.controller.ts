import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiClient } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { ROLES } from '../auth/api-client';
import { parseBody } from '../http/validate';
import { pageSizeOf, queryParams } from '../http/query';
import { schema } from '../policies/policies.controller';
import { required } from '../policy-engine/caller';
import { CurrentClient } from '../system/current-client.decorator';
import { AddressBookService, type AddressBookEntryView, type AddressBookPage, type CreateEntryInput } from './address-book.service';

const CREATE = schema<CreateEntryInput>({
  type: 'object',
  additionalProperties: false,
  required: ['label', 'chain', 'address'],
  properties: {
    label: { type: 'string', maxLength: 256 },
    chain: { type: 'string', maxLength: 12 },
    address: { type: 'string', maxLength: 128 },
    entryId: { type: 'string', maxLength: 128 },
    tags: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 128 } },
  },
});

/** REST `/v1/address-book`: every change goes through policy (the answer's `state` says whether it waits for approvals). */
@ApiTags('address-book')
@Controller('v1/address-book')
export class AddressBookController {
  constructor(private readonly book: AddressBookService) {}

  @Post()
  @Roles('compliance-admin')
  @ApiOperation({ operationId: 'CreateAddressBookEntry', summary: 'Add (or change) an entry: a request under policy; state applied or pending-approval' })
  @ApiBody({ schema: CREATE.schema as object })
  create(@CurrentClient() client: ApiClient | undefined, @Body() body: unknown): Promise<AddressBookEntryView> {
    return this.book.create(required(client), parseBody(body, CREATE));
  }

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'ListAddressBookEntries', summary: 'Live entries (filters: tag, chain)' })
  list(@Query() query: Record<string, unknown>): Promise<AddressBookPage> {
    const q = queryParams(query, ['tag', 'chain']);
    return this.book.list(pageSizeOf(q['page_size']), q['page_token'] ?? '', { tag: q['tag'], chain: q['chain'] });
  }

  @Delete(':entryId')
  @Roles('compliance-admin')
  @ApiOperation({ operationId: 'DeleteAddressBookEntry', summary: 'Delete an entry: a request under policy; state applied or pending-approval' })
  delete(@CurrentClient() client: ApiClient | undefined, @Param('entryId') entryId: string): Promise<{ state: string; request: string }> {
    return this.book.delete(required(client), entryId);
  }
}
