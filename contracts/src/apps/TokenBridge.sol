// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWarpMessenger, WarpMessage} from "../IWarpMessenger.sol";

/// @title IBridgeERC20
/// @notice The part of ERC-20 that `TokenHome` uses.
interface IBridgeERC20 {
    /// @notice Moves `amount` tokens from the caller to `to`.
    /// @param to The recipient.
    /// @param amount The amount.
    /// @return True on success.
    function transfer(address to, uint256 amount) external returns (bool);

    /// @notice Moves `amount` tokens from `from` to `to` using the caller's allowance.
    /// @param from The owner of the tokens.
    /// @param to The recipient.
    /// @param amount The amount.
    /// @return True on success.
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title BridgeToken
/// @notice A minimal ERC-20 token (18 decimals) with a single minter that may mint and burn.
/// @dev Used both as a home-chain token and as the wrapped token that `TokenRemote` mints.
///      An allowance of `type(uint256).max` is treated as infinite and never decreases.
contract BridgeToken is IBridgeERC20 {
    /// @notice The token name.
    string public name;

    /// @notice The token symbol.
    string public symbol;

    /// @notice The number of decimals (always 18).
    uint8 public constant decimals = 18;

    /// @notice The total amount of tokens in existence.
    uint256 public totalSupply;

    /// @notice The account allowed to mint and burn.
    address public minter;

    /// @notice The balance of each account.
    mapping(address account => uint256) public balanceOf;

    /// @notice The amount `spender` may still move on behalf of `holder`.
    mapping(address holder => mapping(address spender => uint256)) public allowance;

    /// @notice Emitted when tokens move, including mints (from zero) and burns (to zero).
    /// @param from The sender, or the zero address for a mint.
    /// @param to The recipient, or the zero address for a burn.
    /// @param value The amount.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice Emitted when an allowance is set with `approve`.
    /// @param owner The token holder.
    /// @param spender The spender.
    /// @param value The new allowance.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice The account does not hold enough tokens.
    /// @param account The account.
    /// @param balance Its balance.
    /// @param needed The amount required.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);

    /// @notice The spender's allowance is too small.
    /// @param spender The spender.
    /// @param allowance The current allowance.
    /// @param needed The amount required.
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    /// @notice The caller is not the minter.
    /// @param caller The caller.
    error NotMinter(address caller);

    /// @notice Creates the token and mints `initialSupply` to `initialHolder`.
    /// @param name_ The token name.
    /// @param symbol_ The token symbol.
    /// @param minter_ The account allowed to mint and burn.
    /// @param initialSupply The amount minted at construction (may be zero).
    /// @param initialHolder The recipient of the initial supply (ignored when it is zero).
    constructor(
        string memory name_,
        string memory symbol_,
        address minter_,
        uint256 initialSupply,
        address initialHolder
    ) {
        name = name_;
        symbol = symbol_;
        minter = minter_;
        if (initialSupply > 0) _mint(initialHolder, initialSupply);
    }

    /// @dev Reverts with `NotMinter` unless the caller is the minter.
    modifier onlyMinter() {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _;
    }

    /// @notice Moves `amount` tokens from the caller to `to`.
    /// @param to The recipient.
    /// @param amount The amount.
    /// @return True (reverts on failure).
    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// @notice Lets `spender` move up to `amount` of the caller's tokens.
    /// @param spender The spender.
    /// @param amount The allowance.
    /// @return True.
    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    /// @notice Moves `amount` tokens from `from` to `to` using the caller's allowance.
    /// @param from The token holder.
    /// @param to The recipient.
    /// @param amount The amount.
    /// @return True (reverts on failure).
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 current = allowance[from][msg.sender];
        if (current != type(uint256).max) {
            if (current < amount) revert InsufficientAllowance(msg.sender, current, amount);
            unchecked {
                allowance[from][msg.sender] = current - amount;
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    /// @notice Creates `amount` tokens for `to`.
    /// @dev Only the minter may call this.
    /// @param to The recipient.
    /// @param amount The amount.
    function mint(address to, uint256 amount) external onlyMinter {
        _mint(to, amount);
    }

    /// @notice Destroys `amount` tokens held by `from`.
    /// @dev Only the minter may call this; no allowance is needed.
    /// @param from The holder whose tokens are burnt.
    /// @param amount The amount.
    function burn(address from, uint256 amount) external onlyMinter {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
            totalSupply -= amount;
        }
        emit Transfer(from, address(0), amount);
    }

    function _transfer(address from, address to, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
            balanceOf[to] += amount; // cannot overflow: bounded by totalSupply
        }
        emit Transfer(from, to, amount);
    }

    function _mint(address to, uint256 amount) private {
        totalSupply += amount;
        unchecked {
            balanceOf[to] += amount; // cannot overflow: bounded by totalSupply
        }
        emit Transfer(address(0), to, amount);
    }
}

/// @title TokenHome
/// @notice The home side of a lock-and-mint token bridge: it locks an existing ERC-20 and sends a
///         warp message to `TokenRemote`, and releases locked tokens when the remote side burns.
/// @dev Payload layout in both directions: `abi.encode(uint256 nonce, address recipient, uint256 amount)`.
///      Replay key: `keccak256(abi.encode(sourceChainID, nonce))`.
contract TokenHome {
    /// @notice The Warp precompile.
    IWarpMessenger internal constant WARP = IWarpMessenger(0x0200000000000000000000000000000000000005);

    IBridgeERC20 private immutable _token;
    bytes32 private _remoteChainID;
    address private _remoteBridge;
    bool private _configured;

    /// @notice The account allowed to configure the bridge.
    address public owner;

    /// @notice Nonce of the last lock (the first lock uses nonce 1).
    uint256 public nonce;

    /// @notice The amount of tokens currently locked in this contract.
    uint256 public locked;

    /// @notice Replay set: keys of the burn messages already processed.
    mapping(bytes32 key => bool) public processed;

    /// @notice Emitted when tokens are locked and a mint message is sent.
    /// @param from The account whose tokens were locked.
    /// @param recipient The recipient on the remote chain.
    /// @param amount The amount locked.
    /// @param nonce The nonce of the message.
    /// @param warpMessageID The warp message ID returned by the precompile.
    event Locked(address indexed from, address indexed recipient, uint256 amount, uint256 nonce, bytes32 warpMessageID);

    /// @notice Emitted when locked tokens are released after a burn on the remote chain.
    /// @param recipient The recipient.
    /// @param amount The amount released.
    /// @param nonce The nonce of the burn message.
    event Released(address indexed recipient, uint256 amount, uint256 nonce);

    /// @notice The caller is not the owner.
    /// @param caller The caller.
    error NotOwner(address caller);

    /// @notice `configure` has already been called.
    error AlreadyConfigured();

    /// @notice `configure` has not been called yet.
    error NotConfigured();

    /// @notice The token refused a transfer (returned false).
    error TransferFailed();

    /// @notice No valid warp message at this index of the transaction's predicates.
    /// @param index The warp message index.
    error InvalidWarpMessage(uint32 index);

    /// @notice The message does not come from the configured remote bridge.
    /// @param sourceChainID The source chain of the message.
    /// @param sender The origin sender of the message.
    error UnknownSender(bytes32 sourceChainID, address sender);

    /// @notice The message has already been processed.
    /// @param key The replay key of the message.
    error AlreadyProcessed(bytes32 key);

    /// @notice Creates the home bridge for `token`; the deployer becomes owner.
    /// @param token The ERC-20 token that is bridged.
    constructor(address token) {
        _token = IBridgeERC20(token);
        owner = msg.sender;
    }

    /// @notice The ERC-20 token that is bridged.
    /// @return The token address.
    function token() external view returns (address) {
        return address(_token);
    }

    /// @notice The blockchain ID of the remote chain (zero until configured).
    /// @return The remote chain ID.
    function remoteChainID() external view returns (bytes32) {
        return _remoteChainID;
    }

    /// @notice The `TokenRemote` contract on the remote chain (zero until configured).
    /// @return The remote bridge address.
    function remoteBridge() external view returns (address) {
        return _remoteBridge;
    }

    /// @notice Sets the remote chain and bridge contract, once.
    /// @dev Only the owner may call this; a second call reverts with `AlreadyConfigured`.
    /// @param remoteChainID The blockchain ID of the remote chain.
    /// @param remoteBridge The `TokenRemote` contract on the remote chain.
    function configure(bytes32 remoteChainID, address remoteBridge) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (_configured) revert AlreadyConfigured();
        _configured = true;
        _remoteChainID = remoteChainID;
        _remoteBridge = remoteBridge;
    }

    /// @notice Locks `amount` tokens of the caller and sends a mint message for `recipient`.
    /// @dev The caller must have approved this contract for `amount`.
    /// @param amount The amount to lock.
    /// @param recipient The recipient of the wrapped tokens on the remote chain.
    /// @return warpMessageID The warp message ID returned by the precompile.
    function lock(uint256 amount, address recipient) external returns (bytes32 warpMessageID) {
        if (!_configured) revert NotConfigured();
        if (!_token.transferFrom(msg.sender, address(this), amount)) revert TransferFailed();

        uint256 n = ++nonce;
        locked += amount;
        warpMessageID = WARP.sendWarpMessage(abi.encode(n, recipient, amount));
        emit Locked(msg.sender, recipient, amount, n, warpMessageID);
    }

    /// @notice Releases tokens for the verified burn message at `index` of this transaction's predicates.
    /// @dev The message must come from the configured remote bridge and not have been processed.
    /// @param index The warp message index in the transaction's access list.
    function release(uint32 index) external {
        (WarpMessage memory m, bool valid) = WARP.getVerifiedWarpMessage(index);
        if (!valid) revert InvalidWarpMessage(index);
        if (!_configured || m.sourceChainID != _remoteChainID || m.originSenderAddress != _remoteBridge) {
            revert UnknownSender(m.sourceChainID, m.originSenderAddress);
        }

        (uint256 n, address recipient, uint256 amount) = abi.decode(m.payload, (uint256, address, uint256));
        bytes32 key = keccak256(abi.encode(m.sourceChainID, n));
        if (processed[key]) revert AlreadyProcessed(key);
        processed[key] = true;

        locked -= amount;
        if (!_token.transfer(recipient, amount)) revert TransferFailed();
        emit Released(recipient, amount, n);
    }
}

/// @title TokenRemote
/// @notice The remote side of a lock-and-mint token bridge: it mints a wrapped token for verified
///         lock messages from `TokenHome`, up to a cap, and burns it to send tokens back home.
/// @dev Owns its `BridgeToken` ("Wrapped", "wTKN") and is its minter. Payload layout and replay key
///      are those of `TokenHome`.
contract TokenRemote {
    /// @notice The Warp precompile.
    IWarpMessenger internal constant WARP = IWarpMessenger(0x0200000000000000000000000000000000000005);

    BridgeToken private immutable _token;
    bytes32 private immutable _homeChainID;
    address private immutable _homeBridge;
    uint256 private immutable _mintCap;

    /// @notice The wrapped amount currently outstanding (minted minus burnt).
    uint256 public minted;

    /// @notice Nonce of the last burn (the first burn uses nonce 1).
    uint256 public nonce;

    /// @notice Replay set: keys of the lock messages already processed.
    mapping(bytes32 key => bool) public processed;

    /// @notice Emitted when wrapped tokens are minted for a lock on the home chain.
    /// @param recipient The recipient.
    /// @param amount The amount minted.
    /// @param nonce The nonce of the lock message.
    event Minted(address indexed recipient, uint256 amount, uint256 nonce);

    /// @notice Emitted when wrapped tokens are burnt and a release message is sent.
    /// @param from The account whose tokens were burnt.
    /// @param recipient The recipient on the home chain.
    /// @param amount The amount burnt.
    /// @param nonce The nonce of the message.
    /// @param warpMessageID The warp message ID returned by the precompile.
    event Burned(address indexed from, address indexed recipient, uint256 amount, uint256 nonce, bytes32 warpMessageID);

    /// @notice No valid warp message at this index of the transaction's predicates.
    /// @param index The warp message index.
    error InvalidWarpMessage(uint32 index);

    /// @notice The message does not come from the home bridge.
    /// @param sourceChainID The source chain of the message.
    /// @param sender The origin sender of the message.
    error UnknownSender(bytes32 sourceChainID, address sender);

    /// @notice The message has already been processed.
    /// @param key The replay key of the message.
    error AlreadyProcessed(bytes32 key);

    /// @notice Minting `amount` would take the outstanding supply over the cap.
    /// @param minted The amount outstanding.
    /// @param amount The amount to mint.
    /// @param cap The mint cap.
    error CapExceeded(uint256 minted, uint256 amount, uint256 cap);

    /// @notice Creates the remote bridge and its wrapped token.
    /// @param homeChainID The blockchain ID of the home chain.
    /// @param homeBridge The `TokenHome` contract on the home chain.
    /// @param mintCap The largest amount of wrapped tokens that may be outstanding.
    constructor(bytes32 homeChainID, address homeBridge, uint256 mintCap) {
        _homeChainID = homeChainID;
        _homeBridge = homeBridge;
        _mintCap = mintCap;
        _token = new BridgeToken("Wrapped", "wTKN", address(this), 0, address(0));
    }

    /// @notice The wrapped token minted by this bridge.
    /// @return The token address.
    function token() external view returns (BridgeToken) {
        return _token;
    }

    /// @notice The blockchain ID of the home chain.
    /// @return The home chain ID.
    function homeChainID() external view returns (bytes32) {
        return _homeChainID;
    }

    /// @notice The `TokenHome` contract on the home chain.
    /// @return The home bridge address.
    function homeBridge() external view returns (address) {
        return _homeBridge;
    }

    /// @notice The largest amount of wrapped tokens that may be outstanding.
    /// @return The mint cap.
    function mintCap() external view returns (uint256) {
        return _mintCap;
    }

    /// @notice Mints wrapped tokens for the verified lock message at `index` of this transaction's predicates.
    /// @dev The message must come from the home bridge, not have been processed, and fit under the cap.
    /// @param index The warp message index in the transaction's access list.
    function mint(uint32 index) external {
        (WarpMessage memory m, bool valid) = WARP.getVerifiedWarpMessage(index);
        if (!valid) revert InvalidWarpMessage(index);
        if (m.sourceChainID != _homeChainID || m.originSenderAddress != _homeBridge) {
            revert UnknownSender(m.sourceChainID, m.originSenderAddress);
        }

        (uint256 n, address recipient, uint256 amount) = abi.decode(m.payload, (uint256, address, uint256));
        bytes32 key = keccak256(abi.encode(m.sourceChainID, n));
        if (processed[key]) revert AlreadyProcessed(key);
        if (amount > _mintCap || minted > _mintCap - amount) revert CapExceeded(minted, amount, _mintCap);
        processed[key] = true;

        minted += amount;
        _token.mint(recipient, amount);
        emit Minted(recipient, amount, n);
    }

    /// @notice Burns `amount` wrapped tokens of the caller and sends a release message for `recipient`.
    /// @dev No allowance is needed: this contract is the token's minter.
    /// @param amount The amount to burn.
    /// @param recipient The recipient of the released tokens on the home chain.
    /// @return warpMessageID The warp message ID returned by the precompile.
    function burn(uint256 amount, address recipient) external returns (bytes32 warpMessageID) {
        _token.burn(msg.sender, amount);
        minted -= amount;

        uint256 n = ++nonce;
        warpMessageID = WARP.sendWarpMessage(abi.encode(n, recipient, amount));
        emit Burned(msg.sender, recipient, amount, n, warpMessageID);
    }
}
