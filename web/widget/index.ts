/** The script a store's theme loads: `<script src="https://…/widget.js" defer></script>`. */
import { BackfillAvailability } from './element.ts';

if (!customElements.get('backfill-availability')) {
  customElements.define('backfill-availability', BackfillAvailability);
}
